import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways, type PlaceOrderRequest } from '@tradedesk/exchanges';
import { ConflictError, type Decimal, Outbox, UnitOfWork, ValidationError, ZERO } from '@tradedesk/shared';
import { OrderPlacedEvent } from '../../domain/order.events.js';
import type { OrderPurpose } from '../../domain/order-status.js';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { OrderLedger, orderFacts } from '../order-ledger.js';
import { laneOf, SUBMIT_TOPIC } from '../order-submission.js';

/** How long the poller leaves a fresh submission to the request that placed it. */
const INLINE_SUBMISSION_GRACE_MS = 5_000;

export interface OrderSpec {
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
}

export class PlaceOrderCommand {
  constructor(
    readonly spec: OrderSpec,
    readonly options: { idempotencyKey?: string; purpose?: OrderPurpose; cause?: string } = {},
  ) {}
}

export interface PlaceOrderResult {
  orderId: string;
  /** false when an Idempotency-Key replay returned an existing order. */
  created: boolean;
}

/** Binance `newClientOrderId` allows 36 characters of [A-Za-z0-9-_]; Upbit any string. */
export function clientOrderIdFor(orderId: string): string {
  return `td-${orderId.replace(/-/g, '')}`;
}

function requestHash(spec: OrderSpec): string {
  const canonical = JSON.stringify([
    spec.accountId,
    spec.symbol,
    spec.side,
    spec.type,
    spec.amount?.toFixed(),
    spec.cost?.toFixed(),
    spec.price?.toFixed(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function checkShape(spec: OrderSpec): void {
  if (spec.type === 'limit') {
    if (!spec.price) throw new ValidationError('ORDER.PRICE_REQUIRED', 'price: a limit order needs a price', { field: 'price' });
    if (!spec.amount) throw new ValidationError('ORDER.AMOUNT_REQUIRED', 'amount: a limit order needs an amount', { field: 'amount' });
    if (spec.cost) throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
  } else {
    if (spec.price) throw new ValidationError('ORDER.PRICE_NOT_ALLOWED', 'price: a market order takes no price', { field: 'price' });
    if (spec.cost && spec.side === 'sell')
      throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
    if (!spec.amount === !spec.cost) {
      throw new ValidationError('ORDER.AMOUNT_OR_COST', 'amount/cost: give exactly one of amount (base) or cost (quote, market buys)', {
        field: 'amount',
      });
    }
  }
  for (const field of ['amount', 'cost', 'price'] as const) {
    const value = spec[field];
    if (value && !value.gt(ZERO)) throw new ValidationError('REQUEST.VALIDATION_FAILED', `${field}: must be greater than 0`, { field });
  }
}

/**
 * Records the order (and its client order id) before any exchange call, queues its submission in
 * the same transaction, then submits it right away; the outbox covers a crash in between.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand, PlaceOrderResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly ledger: OrderLedger,
  ) {}

  async execute({ spec, options }: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const key = options.idempotencyKey;
    const hash = requestHash(spec);
    if (key) {
      const replay = await this.replay(key, hash);
      if (replay) return replay;
    }
    checkShape(spec);
    const account = await this.gateways.describeAccount(spec.accountId);
    const id = randomUUID();
    const clientOrderId = clientOrderIdFor(id);
    // Exchange rules are checked locally first: an order that breaks one is never written nor sent.
    const purpose = options.purpose ?? 'manual';
    const normalized: PlaceOrderRequest = await this.gateways.validateOrder(
      spec.accountId,
      {
        symbol: spec.symbol,
        side: spec.side,
        type: spec.type,
        clientOrderId,
        ...(spec.amount ? { amount: spec.amount } : {}),
        ...(spec.cost ? { cost: spec.cost } : {}),
        ...(spec.price ? { price: spec.price } : {}),
      },
      // A stop-loss's balance check rides the protective lane, not behind ticker polls.
      { lane: laneOf(purpose) },
    );

    let messageId: string;
    try {
      messageId = await this.uow.run(async (tx) => {
        const now = new Date();
        const order = tx.manager.create(OrderOrmEntity, {
          id,
          accountId: account.id,
          exchange: account.exchange,
          symbol: normalized.symbol,
          side: normalized.side,
          type: normalized.type,
          amount: normalized.amount ?? null,
          requestedCost: normalized.cost ?? null,
          price: normalized.price ?? null,
          stopPrice: null,
          legType: null,
          listClientOrderId: null,
          exchangeListId: null,
          clientOrderId,
          exchangeOrderId: null,
          status: 'PENDING',
          purpose,
          filled: ZERO,
          cost: ZERO,
          average: null,
          fee: null,
          feeCurrency: null,
          submittedAt: null,
          resolveAttempts: 0,
          needsAttention: false,
          rejectReason: null,
          idempotencyKey: key ?? null,
          requestHash: key ? hash : null,
          createdAt: now,
          updatedAt: now,
        });
        await tx.manager.insert(OrderOrmEntity, order);
        await this.ledger.appendTimeline(tx.manager, order, 'placed', options.cause ?? 'api', {
          amount: normalized.amount?.toFixed(),
          cost: normalized.cost?.toFixed(),
          price: normalized.price?.toFixed(),
        });
        // Submitted inline right after commit; the poller picks it up only if this process dies first.
        const message = await this.outbox.enqueue(
          tx,
          SUBMIT_TOPIC,
          { orderId: id },
          { priority: order.purpose === 'manual' ? 50 : 0, availableAt: new Date(now.getTime() + INLINE_SUBMISSION_GRACE_MS) },
        );
        tx.publish(new OrderPlacedEvent(orderFacts(order)));
        return message.id;
      });
    } catch (error) {
      // Two requests with one Idempotency-Key raced: the loser answers with the winner's order.
      if (key && isUniqueViolation(error)) {
        const replay = await this.replay(key, hash);
        if (replay) return replay;
      }
      throw error;
    }
    await this.outbox.dispatchNow(messageId);
    return { orderId: id, created: true };
  }

  private async replay(key: string, hash: string): Promise<PlaceOrderResult | undefined> {
    const existing = await this.uow.autocommit((manager) =>
      manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true, requestHash: true } }),
    );
    if (!existing) return undefined;
    if (existing.requestHash !== hash) {
      throw new ConflictError('ORDER.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body', {
        orderId: existing.id,
      });
    }
    return { orderId: existing.id, created: false };
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(String((error as Error)?.message));
}
