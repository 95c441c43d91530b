import { CommandBus, CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { ConflictError, Decimal, UnitOfWork, UnprocessableError, ValidationError } from '@tradedesk/shared';
import { In } from 'typeorm';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { type ClosedBy, PositionClosedError } from '../position-room.js';
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
    const earlier = key
      ? await this.uow.autocommit((manager) => manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true } }))
      : null;
    if (earlier) return { orderId: earlier.id, created: false, canceledOrderIds: [] };
    const gateway = await this.gateways.forAccount(accountId);
    const market = { accountId, ...(await gateway.market(symbol)) };
    // Nothing to close is answered before anything is cancelled: a refused request changes nothing.
    if (scope === 'position') await this.checkCloseable(market, cause, options);
    const canceledOrderIds = await this.cancelRestingSells(market);
    await this.gateways.invalidateBalances(accountId);
    const free = (await gateway.fetchBalances({ lane: 'protective' }))[market.base]?.free ?? new Decimal(0);
    const amount = scope === 'position' ? await this.positionLeft(market, free) : free;
    if (!amount.gt(0))
      throw new UnprocessableError('POSITION.NOTHING_TO_CLOSE', `There is no free ${market.base} on this account to sell`, {
        asset: market.base,
      });
    try {
      const result = await this.commands.execute<PlaceOrderCommand, PlaceOrderResult>(
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
      return { ...result, canceledOrderIds };
    } catch (error) {
      throw scope === 'position' ? this.dust(error, amount, market, cause) : error;
    }
  }

  private position(market: CloseMarket): Promise<PositionFacts> {
    return this.queries.execute<GetPositionQuery, PositionFacts>(new GetPositionQuery(market.accountId, market.symbol));
  }

  /** A position to close, of more than dust (under the market's minimum amount or step it cannot be sold at all). */
  private async checkCloseable(market: CloseMarket, cause: string, options: ClosePositionOptions): Promise<void> {
    const before = await this.position(market);
    if (before.quantity.isZero() && cause === 'api')
      throw new UnprocessableError(
        'POSITION.NOTHING_TO_CLOSE',
        `There is no ${market.symbol} position on this account. Coins held outside tradedesk are in no position: adopt them (POST /api/positions/adopt) or sell the whole free balance ("amount": "balance")`,
        { symbol: market.symbol },
      );
    if (before.quantity.isZero()) throw new PositionClosedError(market, before.closedBy);
    const rules = await this.gateways.orderRules(market.accountId, market.symbol);
    try {
      rules(
        { symbol: market.symbol, side: 'sell', type: 'market', amount: before.quantity, clientOrderId: 'td-check' },
        options.referencePrice,
      );
    } catch (error) {
      throw this.dust(error, before.quantity, market, cause, before.closedBy);
    }
  }

  /**
   * Cancels the position's resting sells (limit orders on the book) so they release their coins.
   * A market sell on its way (another exit's) cannot be called back in time and keeps its share.
   */
  private async cancelRestingSells(market: CloseMarket): Promise<string[]> {
    const resting = await this.uow.autocommit((manager) =>
      manager.find(OrderOrmEntity, {
        where: {
          accountId: market.accountId,
          symbol: market.symbol,
          side: 'sell',
          type: 'limit',
          status: In(['OPEN', 'PARTIALLY_FILLED']),
        },
      }),
    );
    const canceled: string[] = [];
    for (const order of resting) {
      try {
        await this.commands.execute(new CancelOrderCommand(order.id, 'liquidation'));
        canceled.push(order.id);
      } catch (error) {
        // It ended meanwhile (filled, or cancelled by another exit): nothing to release, the rest is read below.
        if (!(error instanceof ConflictError && error.code === 'ORDER.NOT_CANCELABLE')) throw error;
      }
    }
    return canceled;
  }

  /**
   * What is left of the position after the cancels, capped by the free balance. Nothing left: the
   * position was sold (another exit, whose order is recorded by now) — PositionClosedError.
   */
  private async positionLeft(market: CloseMarket, free: Decimal): Promise<Decimal> {
    const after = await this.position(market);
    if (!after.available.gt(0)) throw new PositionClosedError(market, after.closedBy);
    const amount = Decimal.min(after.available, free);
    if (amount.gt(0)) return amount;
    // The coins left the wallet while this ran: sold by another exit of the position, or taken out of tradedesk's reach.
    const now = await this.position(market);
    if (!now.available.gt(0)) throw new PositionClosedError(market, now.closedBy);
    return amount;
  }

  /**
   * What is left of the position is under the market's minimum (amount, step or order value): for a
   * condition the position is closed (its exit ends CANCELLED); for a request there is nothing to
   * close. Other errors go through unchanged.
   */
  private dust(error: unknown, amount: Decimal, market: CloseMarket, cause: string, closedBy?: ClosedBy): unknown {
    if (!(error instanceof ValidationError) || !/^ORDER\.(BELOW_MIN|AMOUNT_TOO_SMALL)/.test(error.code)) return error;
    if (cause === 'api')
      return new UnprocessableError(
        'POSITION.NOTHING_TO_CLOSE',
        `The ${amount.toFixed()} ${market.base} left in the ${market.symbol} position cannot be sold: ${error.message}`,
        { symbol: market.symbol, left: amount.toFixed() },
      );
    return new PositionClosedError(market, closedBy, `position closed: the ${amount.toFixed()} left is below the market's minimum order`);
  }
}

/** The market of the position being closed, with its account. */
interface CloseMarket {
  accountId: string;
  symbol: string;
  base: string;
}
