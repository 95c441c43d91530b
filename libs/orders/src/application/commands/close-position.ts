import { CommandBus, CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { Decimal, UnitOfWork, UnprocessableError } from '@tradedesk/shared';
import { In } from 'typeorm';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { PositionClosedError } from '../position-room.js';
import { GetPositionQuery, type PositionFacts } from '../queries/position.query.js';
import { CancelOrderCommand } from './cancel-order.js';
import { PlaceOrderCommand, type PlaceOrderResult } from './place-order.js';

/** `position`: what tradedesk bought there (the default, `amount: "all"`); `balance`: the whole free balance of the base asset. */
export type CloseScope = 'position' | 'balance';

export interface ClosePositionOptions {
  /** Makes a re-executed liquidation (e.g. a re-delivered condition intent) return the first order. */
  idempotencyKey?: string;
  scope?: CloseScope;
  /** Sell with a limit at this price instead of at market (a limit exit's `all`). */
  limitPrice?: Decimal;
  /** The price that values a market liquidation if it has to shrink (the trigger that fired it). */
  referencePrice?: Decimal;
}

export class ClosePositionCommand {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
    readonly cause = 'api',
    readonly options: ClosePositionOptions = {},
  ) {}
}

export interface ClosePositionResult extends PlaceOrderResult {
  canceledOrderIds: string[];
}

/**
 * Full liquidation (docs/trading-semantics.md): cancel the position's own resting sells (limit
 * orders on the book) so they release the coins, then sell the position — its remaining quantity, capped by the free balance
 * (scope `position`) — or, only when asked for explicitly, the whole free balance (scope `balance`).
 * A position with nothing left answers PositionClosedError (a condition's `all` then ends
 * CANCELLED "position closed"); the HTTP route answers `POSITION.NOTHING_TO_CLOSE`.
 */
@CommandHandler(ClosePositionCommand)
export class ClosePositionHandler implements ICommandHandler<ClosePositionCommand, ClosePositionResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async execute({ accountId, symbol, cause, options }: ClosePositionCommand): Promise<ClosePositionResult> {
    const key = options.idempotencyKey;
    const scope = options.scope ?? 'position';
    if (key) {
      const earlier = await this.uow.autocommit((manager) =>
        manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true } }),
      );
      if (earlier) return { orderId: earlier.id, created: false, canceledOrderIds: [] };
    }
    const gateway = await this.gateways.forAccount(accountId);
    const market = await gateway.market(symbol);
    const position = () => this.queries.execute<GetPositionQuery, PositionFacts>(new GetPositionQuery(accountId, market.symbol));
    // Nothing to close is answered before anything is cancelled: a refused request changes nothing.
    if (scope === 'position') {
      const before = await position();
      if (before.quantity.isZero() && cause === 'api')
        throw new UnprocessableError(
          'POSITION.NOTHING_TO_CLOSE',
          `There is no ${market.symbol} position on this account. Coins held outside tradedesk are in no position: adopt them (POST /api/positions/adopt) or sell the whole free balance ("amount": "balance")`,
          { symbol: market.symbol },
        );
      if (before.quantity.isZero()) throw new PositionClosedError({ accountId, symbol: market.symbol }, before.closedBy);
    }
    // Only resting sells are cancelled: a market sell on its way (another exit's) cannot be called
    // back in time and keeps its share of the position, so this one sells only the rest.
    const openSells = await this.uow.autocommit((manager) =>
      manager.find(OrderOrmEntity, {
        where: { accountId, symbol: market.symbol, side: 'sell', type: 'limit', status: In(['OPEN', 'PARTIALLY_FILLED']) },
      }),
    );
    for (const order of openSells) await this.commands.execute(new CancelOrderCommand(order.id, 'liquidation'));
    await this.gateways.invalidateBalances(accountId);
    const balances = await gateway.fetchBalances({ lane: 'protective' });
    const free = balances[market.base]?.free ?? new Decimal(0);
    let amount = free;
    if (scope === 'position') {
      // What the cancels left: sells that could not be cancelled (a market exit on its way) keep their share.
      const after = await position();
      if (!after.available.gt(0)) throw new PositionClosedError({ accountId, symbol: market.symbol }, after.closedBy);
      amount = Decimal.min(after.available, free);
    }
    if (!amount.gt(0))
      throw new UnprocessableError('POSITION.NOTHING_TO_CLOSE', `There is no free ${market.base} on this account to sell`, {
        asset: market.base,
      });
    const result: PlaceOrderResult = await this.commands.execute(
      new PlaceOrderCommand(
        {
          accountId,
          symbol: market.symbol,
          side: 'sell',
          type: options.limitPrice ? 'limit' : 'market',
          amount,
          ...(options.limitPrice ? { price: options.limitPrice } : {}),
        },
        {
          purpose: 'liquidation',
          cause,
          ...(key ? { idempotencyKey: key } : {}),
          ...(scope === 'position' ? { positionExit: options.referencePrice ? { referencePrice: options.referencePrice } : {} } : {}),
        },
      ),
    );
    return { ...result, canceledOrderIds: openSells.map((o) => o.id) };
  }
}
