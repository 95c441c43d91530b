import { createHash } from 'node:crypto';
import type { OrderRules } from '@tradedesk/exchanges';
import { type ClaimedMessage, type Decimal, ValidationError, ZERO } from '@tradedesk/shared';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';

export interface OrderSpec {
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
}

/** Binance `newClientOrderId` allows 36 characters of [A-Za-z0-9-_]; Upbit any string. */
export function clientOrderIdFor(orderId: string): string {
  return `td-${orderId.replace(/-/g, '')}`;
}

/** What an Idempotency-Key is bound to: a replay with another body is refused. */
export function requestHash(spec: OrderSpec): string {
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

export function checkShape(spec: OrderSpec): void {
  if (spec.type === 'limit') checkLimitShape(spec);
  else checkMarketShape(spec);
  for (const field of ['amount', 'cost', 'price'] as const) {
    const value = spec[field];
    if (value && !value.gt(ZERO)) throw new ValidationError('REQUEST.VALIDATION_FAILED', `${field}: must be greater than 0`, { field });
  }
}

function checkLimitShape(spec: OrderSpec): void {
  if (!spec.price) throw new ValidationError('ORDER.PRICE_REQUIRED', 'price: a limit order needs a price', { field: 'price' });
  if (!spec.amount) throw new ValidationError('ORDER.AMOUNT_REQUIRED', 'amount: a limit order needs an amount', { field: 'amount' });
  if (spec.cost) throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
}

function checkMarketShape(spec: OrderSpec): void {
  if (spec.price) throw new ValidationError('ORDER.PRICE_NOT_ALLOWED', 'price: a market order takes no price', { field: 'price' });
  if (spec.cost && spec.side === 'sell')
    throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
  if (!spec.amount === !spec.cost) {
    throw new ValidationError('ORDER.AMOUNT_OR_COST', 'amount/cost: give exactly one of amount (base) or cost (quote, market buys)', {
      field: 'amount',
    });
  }
}

/**
 * A new order's row as it is first written: PENDING, its client order id derived from its id,
 * nothing filled and nothing known from the exchange yet.
 */
export function pendingOrderRow(
  fields: Pick<OrderOrmEntity, 'id' | 'accountId' | 'exchange' | 'symbol' | 'side' | 'type' | 'amount' | 'purpose' | 'createdAt'> &
    Partial<
      Pick<OrderOrmEntity, 'requestedCost' | 'price' | 'stopPrice' | 'legType' | 'listClientOrderId' | 'idempotencyKey' | 'requestHash'>
    >,
): OrderOrmEntity {
  return Object.assign(new OrderOrmEntity(), {
    requestedCost: null,
    price: null,
    stopPrice: null,
    legType: null,
    listClientOrderId: null,
    exchangeListId: null,
    clientOrderId: clientOrderIdFor(fields.id),
    exchangeOrderId: null,
    status: 'PENDING',
    filled: ZERO,
    cost: ZERO,
    average: null,
    fee: null,
    feeCurrency: null,
    submittedAt: null,
    resolveAttempts: 0,
    needsAttention: false,
    rejectReason: null,
    idempotencyKey: null,
    requestHash: null,
    updatedAt: fields.createdAt,
    ...fields,
  } satisfies Omit<OrderOrmEntity, 'version'>);
}

/** An order checked against its exchange's rules, with its ids, ready to be written: nothing is stored yet. */
export interface PreparedOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly row: OrderOrmEntity;
  readonly cause: string;
  /** Set for a sell out of the position: the rules to shrink it by, and the price that values it. */
  readonly exit?: { rules: OrderRules; referencePrice?: Decimal };
}

/** Orders written by `recordStarted`, each with the submit message it holds, to hand to `sendStarted` once their transaction has committed. */
export type StartedOrders = ReadonlyArray<{ readonly order: PreparedOrder; readonly message: ClaimedMessage }>;
