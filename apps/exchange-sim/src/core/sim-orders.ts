import { Dec } from './decimal.js';
import type { Walk } from './book.js';
import type { ExchangeId, Market } from './markets.js';
import type { OrderKind, OrderSide, OrderStatus, SimOrder, SimTrade } from './types.js';

/** The emulator's orders as records: a new order from its validated draft, its trades, and the rules of how it ends. */

export interface NewOrder {
  exchange: ExchangeId;
  apiKey: string;
  market: Market;
  clientOrderId: string | null;
  side: OrderSide;
  kind: OrderKind;
  nativeType: string;
  timeInForce: string | null;
  price?: Dec;
  stopPrice?: Dec;
  quantity?: Dec;
  quoteQuantity?: Dec;
  lockAsset: string;
  lockAmount: Dec;
  reservedFee?: Dec;
  orderListId?: number;
  listClientOrderId?: string;
  /** For market-like orders: do not trade past this price (Upbit `best`). */
  priceCap?: Dec;
}

/** A new order's record, nothing locked or executed yet; stops wait (not working) until triggered. */
export function newSimOrder(draft: NewOrder, ident: { id: string; seq: number }, now: number): SimOrder {
  const working = draft.kind !== 'stop_loss' && draft.kind !== 'stop_loss_limit' && draft.kind !== 'take_profit_limit';
  const order: SimOrder = {
    exchange: draft.exchange,
    id: ident.id,
    seq: ident.seq,
    apiKey: draft.apiKey,
    marketId: draft.market.id,
    symbol: draft.market.symbol,
    clientOrderId: draft.clientOrderId,
    side: draft.side,
    kind: draft.kind,
    nativeType: draft.nativeType,
    timeInForce: draft.timeInForce,
    price: draft.price?.toFixed() ?? null,
    stopPrice: draft.stopPrice?.toFixed() ?? null,
    quantity: draft.quantity?.toFixed() ?? null,
    quoteQuantity: draft.quoteQuantity?.toFixed() ?? null,
    executedQty: '0',
    cumQuote: '0',
    commission: '0',
    commissionAsset: null,
    reservedFee: draft.reservedFee?.toFixed() ?? '0',
    status: 'NEW',
    working,
    orderListId: draft.orderListId ?? -1,
    ...(draft.listClientOrderId !== undefined ? { listClientOrderId: draft.listClientOrderId } : {}),
    siblingId: null,
    lockedAsset: draft.lockAsset,
    locked: '0',
    createdAt: now,
    updatedAt: now,
    workingTime: working ? now : null,
    tradeCount: 0,
  };
  return order;
}

/** What a fill trades: the trade's figures, its commission and when. */
export interface TradeFigures {
  price: Dec;
  qty: Dec;
  quote: Dec;
  commission: Dec;
  commissionAsset: string;
  isMaker: boolean;
  time: number;
}

export function tradeOf(order: SimOrder, ident: { id: string; seq: number }, t: TradeFigures): SimTrade {
  return {
    exchange: order.exchange,
    id: ident.id,
    seq: ident.seq,
    orderId: order.id,
    apiKey: order.apiKey,
    marketId: order.marketId,
    symbol: order.symbol,
    side: order.side,
    price: t.price.toFixed(),
    qty: t.qty.toFixed(),
    quoteQty: t.quote.toFixed(),
    commission: t.commission.toFixed(),
    commissionAsset: t.commissionAsset,
    isMaker: t.isMaker,
    time: t.time,
    orderListId: order.orderListId,
  };
}

/** How a market order (or a triggered market stop) ends once it has taken what the book had. */
export function marketOutcome(order: SimOrder, walk: Walk): OrderStatus {
  if (order.exchange === 'upbit') {
    // Upbit ends a market order 'cancel' whenever any of it is left, even dust of a KRW budget.
    if (order.quantity !== null) return new Dec(order.executedQty).equals(order.quantity) ? 'FILLED' : 'CANCELED';
    return new Dec(order.quoteQuantity!).minus(order.cumQuote).greaterThan(0) ? 'CANCELED' : 'FILLED';
  }
  if (order.quantity !== null) return new Dec(order.executedQty).equals(order.quantity) ? 'FILLED' : 'EXPIRED';
  return walk.exhausted || new Dec(order.executedQty).isZero() ? 'EXPIRED' : 'FILLED';
}

export function stopTriggered(order: SimOrder, last: Dec): boolean {
  const stop = new Dec(order.stopPrice!);
  const fallingTrigger = (order.kind === 'stop_loss_limit' || order.kind === 'stop_loss') === (order.side === 'sell');
  return fallingTrigger ? last.lessThanOrEqualTo(stop) : last.greaterThanOrEqualTo(stop);
}

export function stopWouldTrigger(kind: OrderKind, side: OrderSide, stop: Dec, last: Dec): boolean {
  return stopTriggered({ kind, side, stopPrice: stop.toFixed() } as SimOrder, last);
}

export function orderKey(order: SimOrder): string {
  return `${order.exchange}:${order.id}`;
}
