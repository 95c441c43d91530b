import type { Account } from './account.js';
import { Dec, decMin, roundTo8 } from './decimal.js';
import type { ExchangeId, Market } from './markets.js';
import type { OrderKind, SimOrder } from './types.js';

/** How a fill moves money: commissions as each exchange charges them, and the order's lock released as it executes. */

/** Taker and maker pay the same on both exchanges at the base VIP level. */
export const FEE_RATES: Record<ExchangeId, Dec> = { binance: new Dec('0.001'), upbit: new Dec('0.0005') };

const LIMIT_KINDS: ReadonlySet<OrderKind> = new Set(['limit', 'limit_maker', 'stop_loss_limit', 'take_profit_limit']);

/** What a fill charged: the commission and the asset it was taken in. */
export interface Commission {
  commission: Dec;
  commissionAsset: string;
}

/**
 * Settles one fill into the account: the commission as the exchange charges it, the order's lock
 * released for what the fill used, what it cost paid and what it bought credited.
 */
export function settleFill(order: SimOrder, market: Market, account: Account, price: Dec, qty: Dec): Commission {
  const quote = price.mul(qty);
  const feeRate = FEE_RATES[order.exchange];
  const baseBal = account.balance(market.base);
  const quoteBal = account.balance(market.quote);
  if (order.side === 'sell') {
    const commission = order.exchange === 'binance' ? roundTo8(quote.mul(feeRate), Dec.ROUND_UP) : roundTo8(quote.mul(feeRate));
    const consume = decMin(qty, new Dec(order.locked));
    baseBal.locked = baseBal.locked.minus(consume);
    order.locked = new Dec(order.locked).minus(consume).toFixed();
    quoteBal.free = quoteBal.free.plus(quote).minus(commission);
    return { commission, commissionAsset: market.quote };
  }
  const binance = order.exchange === 'binance';
  const commission = binance ? roundTo8(qty.mul(feeRate), Dec.ROUND_UP) : roundTo8(quote.mul(feeRate));
  // What this quantity reserved when the order was placed (at its limit price, plus the Upbit
  // fee reserve) leaves the lock; what it actually cost leaves the account.
  let reserved = LIMIT_KINDS.has(order.kind) ? new Dec(order.price!).mul(qty) : quote;
  if (!binance) reserved = reserved.mul(new Dec(1).plus(feeRate));
  reserved = decMin(reserved, new Dec(order.locked));
  const spent = binance ? quote : quote.plus(commission);
  quoteBal.locked = quoteBal.locked.minus(reserved);
  quoteBal.free = quoteBal.free.plus(reserved).minus(spent);
  order.locked = new Dec(order.locked).minus(reserved).toFixed();
  if (binance) {
    // Binance takes a buy's commission from the base it brings in.
    baseBal.free = baseBal.free.plus(qty).minus(commission);
  } else {
    const held = baseBal.free.plus(baseBal.locked);
    baseBal.avgBuyPrice = roundTo8(held.mul(baseBal.avgBuyPrice).plus(quote).div(held.plus(qty)));
    baseBal.free = baseBal.free.plus(qty);
  }
  return { commission, commissionAsset: binance ? market.base : market.quote };
}
