import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { UnitOfWork, UnprocessableError } from '@tradedesk/shared';
import { In } from 'typeorm';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { CancelOrderCommand } from './cancel-order.js';
import { PlaceOrderCommand, type PlaceOrderResult } from './place-order.js';

export class ClosePositionCommand {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
    readonly cause = 'api',
    /** Makes a re-executed liquidation (e.g. a re-delivered condition intent) return the first order. */
    readonly options: { idempotencyKey?: string } = {},
  ) {}
}

export interface ClosePositionResult extends PlaceOrderResult {
  canceledOrderIds: string[];
}

/**
 * Full liquidation (trading-semantics.md): cancel the account's open sell orders on the market so
 * they release the coins, then market-sell the whole free balance of the base asset.
 */
@CommandHandler(ClosePositionCommand)
export class ClosePositionHandler implements ICommandHandler<ClosePositionCommand, ClosePositionResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly commands: CommandBus,
  ) {}

  async execute({ accountId, symbol, cause, options }: ClosePositionCommand): Promise<ClosePositionResult> {
    const key = options.idempotencyKey;
    if (key) {
      const earlier = await this.uow.run(({ manager }) =>
        manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true } }),
      );
      if (earlier) return { orderId: earlier.id, created: false, canceledOrderIds: [] };
    }
    const gateway = await this.gateways.forAccount(accountId);
    const market = await gateway.market(symbol);
    const openSells = await this.uow.run(({ manager }) =>
      manager.find(OrderOrmEntity, {
        where: { accountId, symbol: market.symbol, side: 'sell', status: In(['OPEN', 'PARTIALLY_FILLED', 'UNKNOWN', 'PENDING']) },
      }),
    );
    for (const order of openSells) await this.commands.execute(new CancelOrderCommand(order.id, 'liquidation'));
    await this.gateways.invalidateBalances(accountId);
    const balances = await gateway.fetchBalances({ lane: 'protective' });
    const free = balances[market.base]?.free;
    if (!free || free.lte(0)) {
      throw new UnprocessableError('POSITION.NOTHING_TO_CLOSE', `There is no free ${market.base} on this account to sell`, {
        asset: market.base,
      });
    }
    const result: PlaceOrderResult = await this.commands.execute(
      new PlaceOrderCommand(
        { accountId, symbol: market.symbol, side: 'sell', type: 'market', amount: free },
        { purpose: 'liquidation', cause, ...(key ? { idempotencyKey: key } : {}) },
      ),
    );
    return { ...result, canceledOrderIds: openSells.map((o) => o.id) };
  }
}
