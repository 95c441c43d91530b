import { Dec, ZERO } from '../core/decimal.js';
import type { AccountBalance } from '../core/account.js';
import type { SimOrder, SimTrade } from '../core/types.js';

const KST_OFFSET_MS = 9 * 3_600_000;

/** `2024-03-01T12:34:56+09:00`, as Upbit writes times. */
export function kst(ms: number): string {
  return `${new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}

/** `2024-03-01T03:34:56` (UTC, no zone), as Upbit's candle_date_time_utc. */
export function utcNoZone(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

const plain = (text: string | null | undefined): string => new Dec(text ?? '0').toFixed();

export function orderState(order: SimOrder): 'wait' | 'watch' | 'done' | 'cancel' {
  if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') return order.working ? 'wait' : 'watch';
  return order.status === 'FILLED' ? 'done' : 'cancel';
}

export function upbitTradeJson(t: SimTrade): Record<string, unknown> {
  return {
    market: t.marketId,
    uuid: t.id,
    price: plain(t.price),
    volume: plain(t.qty),
    funds: plain(t.quoteQty),
    trend: t.side === 'buy' ? 'up' : 'down',
    created_at: kst(t.time),
    side: t.side === 'buy' ? 'bid' : 'ask',
  };
}

/** GET /v1/order, POST /v1/orders, DELETE /v1/order and the order lists. */
export function upbitOrderJson(order: SimOrder, trades?: SimTrade[]): Record<string, unknown> {
  const open = order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
  const byCost = order.nativeType === 'price';
  const reserved = new Dec(order.reservedFee);
  const paid = new Dec(order.commission);
  const remainingFee = open && order.side === 'buy' ? Dec.max(reserved.minus(paid), ZERO) : ZERO;
  // An order sized in KRW has no volume; once it is over nothing remains, which lets clients total it.
  const remainingVolume = order.quantity !== null ? new Dec(order.quantity).minus(order.executedQty).toFixed() : open ? null : '0';
  const json: Record<string, unknown> = {
    uuid: order.id,
    side: order.side === 'buy' ? 'bid' : 'ask',
    ord_type: order.nativeType,
    price: byCost ? plain(order.quoteQuantity) : order.price === null ? null : plain(order.price),
    state: orderState(order),
    market: order.marketId,
    created_at: kst(order.createdAt),
    volume: order.quantity === null ? null : plain(order.quantity),
    remaining_volume: remainingVolume,
    reserved_fee: reserved.toFixed(),
    remaining_fee: remainingFee.toFixed(),
    paid_fee: paid.toFixed(),
    locked: plain(order.locked),
    executed_volume: plain(order.executedQty),
    executed_funds: plain(order.cumQuote),
    trades_count: order.tradeCount,
  };
  if (order.timeInForce) json.time_in_force = order.timeInForce;
  if (order.clientOrderId !== null) json.identifier = order.clientOrderId;
  if (trades) json.trades = trades.map(upbitTradeJson);
  return json;
}

export function upbitAccountJson(b: AccountBalance): Record<string, unknown> {
  return {
    currency: b.asset,
    balance: b.free.toFixed(),
    locked: b.locked.toFixed(),
    avg_buy_price: b.avgBuyPrice.toFixed(),
    avg_buy_price_modified: false,
    unit_currency: 'KRW',
  };
}
