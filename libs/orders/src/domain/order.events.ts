import { DomainEvent } from '@tradedesk/shared';
import type { OrderPurpose, OrderStatus } from './order-status.js';

/** What every order event carries: enough for notifications and conditions without a query. */
export interface OrderFacts {
  orderId: string;
  accountId: string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  status: OrderStatus;
  clientOrderId: string;
  exchangeOrderId?: string;
  purpose: OrderPurpose;
  /** Set on a leg of an order list (a native OCO sell): the list's client id. */
  listClientOrderId?: string;
  /** Set on an order a condition placed (its idempotency key `cond-<id>-<n>`): that condition. */
  conditionId?: string;
  /** The Idempotency-Key it was placed with, if any (a template's entry carries its execution's). */
  idempotencyKey?: string;
  /** Decimal strings. */
  filled: string;
  average?: string;
  cost: string;
  fee?: string;
  feeCurrency?: string;
}

abstract class OrderEvent extends DomainEvent {
  constructor(readonly order: OrderFacts) {
    super();
  }
}

/** Recorded and queued for submission (before any exchange call). */
export class OrderPlacedEvent extends OrderEvent {}
/** The exchange acknowledged it and it rests on the book. */
export class OrderAcceptedEvent extends OrderEvent {}
export class OrderPartiallyFilledEvent extends OrderEvent {}
export class OrderFilledEvent extends OrderEvent {}
export class OrderCanceledEvent extends OrderEvent {
  constructor(
    order: OrderFacts,
    /** Who cancelled it, as its timeline says: `api`, `liquidation` (a close or an `all` exit), `tracking` (the exchange did)… */
    readonly cause?: string,
  ) {
    super(order);
  }
}
export class OrderRejectedEvent extends OrderEvent {
  constructor(
    order: OrderFacts,
    readonly reason: string,
  ) {
    super(order);
  }
}
/** The submission's outcome is not known; `needsAttention` once the bounded lookups are exhausted. */
export class OrderOutcomeUnknownEvent extends OrderEvent {
  constructor(
    order: OrderFacts,
    readonly needsAttention: boolean,
  ) {
    super(order);
  }
}
/** A fill changed the holding of one market of one account. */
export class PositionChangedEvent extends DomainEvent {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
  ) {
    super();
  }
}

/**
 * What a position did over one round trip, from the fill that opened it (its quantity left zero) to
 * the fill that closed it (back to zero). Decimal strings, unrounded, in the market's quote currency.
 */
export interface RoundTripFacts {
  accountId: string;
  exchange: string;
  symbol: string;
  /** The `closed` line of the position's timeline: one per round trip, so a key for "this trade completed". */
  positionEventId: string;
  openedAt: string | null;
  closedAt: string;
  /** Realized over this round trip, fees included. */
  realizedPnl: string;
  /** Realized over the position's whole life: what GET /api/positions shows as `realizedPnl`. */
  positionRealizedPnl: string;
  /** Fees of the round trip's fills in the quote currency (a base-asset fee valued at its fill's price). */
  fees: string;
  /** Paid for the round trip's buys and adoptions: the denominator of its return. */
  bought: string;
  /** realizedPnl / bought × 100; null when nothing was paid (an adoption at price 0 cannot happen, kept for safety). */
  returnPercent: string | null;
  /** The order whose fill closed it (absent when it was not a fill of a tradedesk order). */
  closingOrder?: OrderFacts;
}

/** A fill brought a position back to zero: a trade completed. Published after the fill's commit. */
export class PositionClosedEvent extends DomainEvent {
  constructor(readonly roundTrip: RoundTripFacts) {
    super();
  }
}
