import type { OrderFacts, RoundTripFacts } from '@tradedesk/orders';
import type { NotificationDraft } from '../domain/notification-draft.js';

/** Which condition placed an exit order, when one did (a stop-loss, a take-profit…). */
export interface ExitOrigin {
  conditionId: string;
  kind: string;
}

/** One order fact as the events (or the sweep) report it. */
export type OrderFact =
  | { kind: 'filled' | 'partially_filled'; order: OrderFacts }
  | { kind: 'canceled'; order: OrderFacts; cause?: string }
  | { kind: 'rejected'; order: OrderFacts; reason: string }
  | { kind: 'unknown'; order: OrderFacts };

export function orderFactKey(fact: OrderFact): string {
  const o = fact.order;
  return fact.kind === 'partially_filled' ? `order.partially_filled:${o.orderId}:${o.filled}` : `order.${fact.kind}:${o.orderId}`;
}

const isExit = (o: OrderFacts) => o.purpose === 'protective' || o.purpose === 'liquidation';

function orderData(o: OrderFacts, at: Date, origin?: ExitOrigin): Record<string, unknown> {
  const [base, quote] = o.symbol.split('/') as [string, string];
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    accountId: o.accountId,
    exchange: o.exchange,
    symbol: o.symbol,
    base,
    quote,
    side: o.side,
    type: o.type,
    purpose: o.purpose,
    status: o.status,
    filled: o.filled,
    average: o.average ?? null,
    cost: o.cost,
    fee: o.fee ?? null,
    feeCurrency: o.feeCurrency ?? null,
    at: at.toISOString(),
    ...(origin ? { conditionId: origin.conditionId, conditionKind: origin.kind } : {}),
  };
}

/** The notification of one order fact; an exit's fill is `exit.filled`, any other `order.filled`. */
export function orderDraft(fact: OrderFact, at: Date, origin?: ExitOrigin): NotificationDraft | undefined {
  const o = fact.order;
  const data = orderData(o, at, origin);
  const subject = `order:${o.orderId}`;
  const factKeys = [orderFactKey(fact)];
  switch (fact.kind) {
    case 'filled':
      return { type: isExit(o) ? 'exit.filled' : 'order.filled', subject, factKeys, data };
    case 'partially_filled':
      return { type: 'order.partially_filled', subject, factKeys, data };
    case 'canceled':
      return { type: 'order.canceled', subject, factKeys, data: { ...data, cause: fact.cause ?? null } };
    case 'rejected':
      return { type: 'order.rejected', subject, factKeys, data: { ...data, reason: fact.reason } };
    case 'unknown':
      return { type: 'order.unknown', subject, factKeys, data };
  }
}

/**
 * A trade completed. When a fill closed it, that fill is told here (price, amount, fee next to the
 * PnL) and its own fact key is covered, so the user gets one message for it, not two.
 */
export function tradeCompletedDraft(trip: RoundTripFacts, closingFact: OrderFact | undefined, origin?: ExitOrigin): NotificationDraft {
  const [base, quote] = trip.symbol.split('/') as [string, string];
  const closing = trip.closingOrder;
  const holdingSeconds = trip.openedAt ? Math.max(0, (Date.parse(trip.closedAt) - Date.parse(trip.openedAt)) / 1000) : null;
  return {
    type: 'trade.completed',
    subject: `position:${trip.accountId} ${trip.symbol}`,
    factKeys: [`trade.completed:${trip.positionEventId}`, ...(closingFact ? [orderFactKey(closingFact)] : [])],
    data: {
      ...(closing ? orderData(closing, new Date(trip.closedAt), origin) : {}),
      accountId: trip.accountId,
      exchange: trip.exchange,
      symbol: trip.symbol,
      base,
      quote,
      positionEventId: trip.positionEventId,
      realizedPnl: trip.realizedPnl,
      positionRealizedPnl: trip.positionRealizedPnl,
      fees: trip.fees,
      bought: trip.bought,
      returnPercent: trip.returnPercent,
      openedAt: trip.openedAt,
      closedAt: trip.closedAt,
      holdingSeconds,
    },
  };
}

/** The fact of an order event that came with a position's close, if it is about the closing order. */
export function closingFactOf(trip: RoundTripFacts, facts: readonly OrderFact[]): OrderFact | undefined {
  const id = trip.closingOrder?.orderId;
  if (!id) return undefined;
  return facts.find((f) => f.order.orderId === id && (f.kind === 'filled' || f.kind === 'partially_filled'));
}
