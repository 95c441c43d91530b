import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways, type OcoSellRequest } from '@tradedesk/exchanges';
import { ConflictError, type Decimal, Outbox, UnitOfWork, ValidationError } from '@tradedesk/shared';
import { In } from 'typeorm';
import type { OrderLegType, OrderPurpose } from '../../domain/order-status.js';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { clientOrderIdFor, OrderPlacement, pendingOrderRow, type PreparedOrder } from '../order-placement.js';
import { laneOf, SUBMIT_TOPIC, submitMessageOptions } from '../order-submission.js';

/**
 * A native OCO sell (Binance `orderList/oco`): one amount, a take-profit resting above the market
 * and a stop below it; the exchange expires one leg when the other executes.
 */
export interface OcoSellSpec {
  accountId: string;
  symbol: string;
  amount: Decimal;
  takeProfitPrice: Decimal;
  stopPrice: Decimal;
  /** A limit for the stop leg (STOP_LOSS_LIMIT); absent: the stop executes at market (STOP_LOSS). */
  stopLimitPrice?: Decimal;
}

export class PlaceOcoSellCommand {
  constructor(
    readonly spec: OcoSellSpec,
    readonly options: { idempotencyKey?: string; purpose?: OrderPurpose; cause?: string } = {},
  ) {}
}

export interface PlaceOcoSellResult {
  listClientOrderId: string;
  takeProfitOrderId: string;
  stopLossOrderId: string;
  /** false when an idempotency key replay returned the legs placed the first time. */
  created: boolean;
}

function requestHash(spec: OcoSellSpec): string {
  const canonical = JSON.stringify([
    'oco-sell',
    spec.accountId,
    spec.symbol,
    spec.amount.toFixed(),
    spec.takeProfitPrice.toFixed(),
    spec.stopPrice.toFixed(),
    spec.stopLimitPrice?.toFixed(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Records both legs of an OCO sell (each with its client order id, linked by one list client id)
 * and one submission intent in a transaction before any exchange call, then submits at once. The
 * submission marks both legs started before the call, so the list is never sent twice.
 */
@CommandHandler(PlaceOcoSellCommand)
export class PlaceOcoSellHandler implements ICommandHandler<PlaceOcoSellCommand, PlaceOcoSellResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly placement: OrderPlacement,
  ) {}

  async execute({ spec, options }: PlaceOcoSellCommand): Promise<PlaceOcoSellResult> {
    const key = options.idempotencyKey;
    const hash = requestHash(spec);
    const replay = () => this.replay(key, hash);
    const earlier = await replay();
    if (earlier) return earlier;
    if (!spec.stopPrice.lt(spec.takeProfitPrice))
      throw new ValidationError('ORDER.OCO_PRICES_INVALID', 'stopPrice: the stop must be below the take-profit', { field: 'stopPrice' });
    const account = await this.gateways.describeAccount(spec.accountId);
    const purpose = options.purpose ?? 'protective';
    const listClientOrderId = clientOrderIdFor(randomUUID());
    const takeProfitId = randomUUID();
    const stopLossId = randomUUID();
    const normalized: OcoSellRequest = await this.gateways.validateOcoSell(
      spec.accountId,
      {
        symbol: spec.symbol,
        amount: spec.amount,
        listClientOrderId,
        takeProfit: { price: spec.takeProfitPrice, clientOrderId: clientOrderIdFor(takeProfitId) },
        stopLoss: {
          stopPrice: spec.stopPrice,
          ...(spec.stopLimitPrice ? { price: spec.stopLimitPrice } : {}),
          clientOrderId: clientOrderIdFor(stopLossId),
        },
      },
      { lane: laneOf(purpose) },
    );
    const now = new Date();
    const leg = (id: string, legType: OrderLegType, fields: Partial<OrderOrmEntity>, withKey: boolean): PreparedOrder => ({
      orderId: id,
      clientOrderId: clientOrderIdFor(id),
      cause: options.cause ?? 'api',
      row: pendingOrderRow({
        id,
        accountId: account.id,
        exchange: account.exchange,
        symbol: normalized.symbol,
        side: 'sell',
        type: 'limit',
        amount: normalized.amount,
        legType,
        listClientOrderId,
        purpose,
        // The key sits on the stop leg (one row can hold it); its sibling is found by the list id.
        idempotencyKey: withKey && key ? key : null,
        requestHash: withKey && key ? hash : null,
        createdAt: now,
        ...fields,
      }),
    });
    const stopLoss = leg(
      stopLossId,
      normalized.stopLoss.price ? 'stop_loss_limit' : 'stop_loss',
      {
        type: normalized.stopLoss.price ? 'limit' : 'market',
        price: normalized.stopLoss.price ?? null,
        stopPrice: normalized.stopLoss.stopPrice,
      },
      true,
    );
    const takeProfit = leg(takeProfitId, 'limit_maker', { price: normalized.takeProfit.price }, false);
    const outcome = await this.placement.recordAndSubmit(key, replay, async (tx) => {
      await this.placement.record(tx, [stopLoss, takeProfit]);
      // One intent for the list, keyed by the stop leg; the submission sends both legs in one call.
      return (await this.outbox.enqueue(tx, SUBMIT_TOPIC, { orderId: stopLossId }, submitMessageOptions(purpose, now))).id;
    });
    if (outcome !== 'recorded') return outcome;
    return { listClientOrderId, takeProfitOrderId: takeProfitId, stopLossOrderId: stopLossId, created: true };
  }

  private async replay(key: string | undefined, hash: string): Promise<PlaceOcoSellResult | undefined> {
    const existing = key ? await this.placement.earlierOrder(key, hash) : undefined;
    if (!existing) return undefined;
    if (!existing.listClientOrderId)
      throw new ConflictError('ORDER.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body', {
        orderId: existing.id,
      });
    const legs = await this.uow.autocommit((manager) =>
      manager.find(OrderOrmEntity, {
        where: { listClientOrderId: existing.listClientOrderId!, legType: In(['limit_maker']) },
        select: { id: true },
      }),
    );
    return { listClientOrderId: existing.listClientOrderId, takeProfitOrderId: legs[0].id, stopLossOrderId: existing.id, created: false };
  }
}
