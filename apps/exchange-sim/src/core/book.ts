import { Dec, ZERO, ceilToStep, decMin, floorToStep } from './decimal.js';
import { tickFor } from './markets.js';
import type { Market } from './markets.js';

export interface BookConfig {
  /** Distance between best bid and best ask around the price, in basis points. */
  spreadBps: Dec;
  levels: number;
  /** Quote currency resting at each level (so base size = depth / price). */
  levelQuoteDepth: Dec;
  /** Distance between consecutive levels, in basis points of the price. */
  levelStepBps: Dec;
}

export interface BookLevel {
  price: Dec;
  qty: Dec;
}

export interface Book {
  bids: BookLevel[];
  asks: BookLevel[];
}

const BPS = new Dec(10_000);

/**
 * The synthetic order book: a pure function of the current price and the configuration, so it
 * never drifts from the feed. Orders walk it but do not consume it — the next order sees the
 * same book, as if market makers refilled instantly.
 */
export function buildBook(market: Market, price: Dec, config: BookConfig): Book {
  const halfSpread = config.spreadBps.div(2).div(BPS);
  const step = config.levelStepBps.div(BPS);
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  for (let i = 0; i < config.levels; i++) {
    const offset = halfSpread.plus(step.mul(i));
    const rawAsk = price.mul(new Dec(1).plus(offset));
    let ask = ceilToStep(rawAsk, tickFor(market, rawAsk));
    const prevAsk = asks[asks.length - 1];
    if (prevAsk && ask.lessThanOrEqualTo(prevAsk.price)) ask = prevAsk.price.plus(tickFor(market, prevAsk.price));
    asks.push({ price: ask, qty: levelQty(market, ask, config) });

    const rawBid = price.mul(new Dec(1).minus(offset));
    if (rawBid.lessThanOrEqualTo(0)) continue;
    let bid = floorToStep(rawBid, tickFor(market, rawBid));
    const prevBid = bids[bids.length - 1];
    if (prevBid && bid.greaterThanOrEqualTo(prevBid.price)) bid = prevBid.price.minus(tickFor(market, prevBid.price));
    if (bid.lessThanOrEqualTo(0)) continue;
    bids.push({ price: bid, qty: levelQty(market, bid, config) });
  }
  return { bids, asks };
}

function levelQty(market: Market, price: Dec, config: BookConfig): Dec {
  const qty = floorToStep(config.levelQuoteDepth.div(price), market.stepSize);
  return qty.isZero() ? market.stepSize : qty;
}

export interface Fill {
  price: Dec;
  qty: Dec;
}

export interface Walk {
  fills: Fill[];
  qty: Dec;
  quote: Dec;
  /** True when the walk ran out of book (or of levels inside the limit) before the order was done. */
  exhausted: boolean;
}

/**
 * Takes liquidity from one side of the book: up to `qty` base, or as much base as `quote` buys
 * (in whole steps), never past `limit`.
 */
export function walkBook(levels: BookLevel[], side: 'buy' | 'sell', stepSize: Dec, want: { qty?: Dec; quote?: Dec; limit?: Dec }): Walk {
  const fills: Fill[] = [];
  let qty = ZERO;
  let quote = ZERO;
  for (const level of levels) {
    if (want.limit && (side === 'buy' ? level.price.greaterThan(want.limit) : level.price.lessThan(want.limit))) break;
    let take: Dec;
    if (want.qty) {
      const remaining = want.qty.minus(qty);
      if (remaining.lessThanOrEqualTo(0)) break;
      take = decMin(level.qty, remaining);
    } else {
      const budget = want.quote!.minus(quote);
      take = decMin(level.qty, floorToStep(budget.div(level.price), stepSize));
      if (take.lessThanOrEqualTo(0)) return { fills, qty, quote, exhausted: false };
    }
    fills.push({ price: level.price, qty: take });
    qty = qty.plus(take);
    quote = quote.plus(take.mul(level.price));
  }
  const done = want.qty ? qty.greaterThanOrEqualTo(want.qty) : false;
  return { fills, qty, quote, exhausted: !done };
}

/** Base quantity available on the side a resting order at `limit` would trade with. */
export function liquidityThrough(levels: BookLevel[], side: 'buy' | 'sell', limit: Dec): Dec {
  let total = ZERO;
  for (const level of levels) {
    if (side === 'buy' ? level.price.greaterThan(limit) : level.price.lessThan(limit)) break;
    total = total.plus(level.qty);
  }
  return total;
}
