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
  const limit = want.limit;
  const within = limit ? levels.slice(0, levelsWithin(levels, side, limit)) : levels;
  return want.qty ? walkForQuantity(within, want.qty) : walkForQuote(within, want.quote!, stepSize);
}

/** How many of the best levels lie at `limit` or better. */
function levelsWithin(levels: BookLevel[], side: 'buy' | 'sell', limit: Dec): number {
  const beyond = levels.findIndex((level) => (side === 'buy' ? level.price.greaterThan(limit) : level.price.lessThan(limit)));
  return beyond === -1 ? levels.length : beyond;
}

/** Up to `wanted` base; exhausted when the levels run out first. */
function walkForQuantity(levels: BookLevel[], wanted: Dec): Walk {
  const walk: Walk = { fills: [], qty: ZERO, quote: ZERO, exhausted: false };
  for (const level of levels) {
    const remaining = wanted.minus(walk.qty);
    if (remaining.lessThanOrEqualTo(0)) break;
    take(walk, level.price, decMin(level.qty, remaining));
  }
  walk.exhausted = !walk.qty.greaterThanOrEqualTo(wanted);
  return walk;
}

/**
 * As much base as `budget` buys in whole steps; done (not exhausted) at the first level where
 * nothing more can be taken, exhausted when the levels run out first.
 */
function walkForQuote(levels: BookLevel[], budget: Dec, stepSize: Dec): Walk {
  const walk: Walk = { fills: [], qty: ZERO, quote: ZERO, exhausted: false };
  for (const level of levels) {
    const amount = decMin(level.qty, floorToStep(budget.minus(walk.quote).div(level.price), stepSize));
    if (amount.lessThanOrEqualTo(0)) return walk;
    take(walk, level.price, amount);
  }
  walk.exhausted = true;
  return walk;
}

function take(walk: Walk, price: Dec, qty: Dec): void {
  walk.fills.push({ price, qty });
  walk.qty = walk.qty.plus(qty);
  walk.quote = walk.quote.plus(qty.mul(price));
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
