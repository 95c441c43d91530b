/** Binance's public market data answers: exchange info, tickers, the order book and klines. */
import { Dec, fixed8 } from '../core/decimal.js';
import { MINUTE } from '../core/history.js';
import type { Market } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { BinanceError, invalidSymbol, mandatory } from './errors.js';
import { marketParam, param } from './orders.js';
import type { Params } from './orders.js';
import { exchangeInfoSymbol } from './serialize.js';

const INTERVALS: Partial<Record<string, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
};

export function intParam(p: Params, name: string, fallback: number, max?: number): number {
  const text = param(p, name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text))
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  const value = Number(text);
  return max !== undefined ? Math.min(value, max) : value;
}

/** `symbol`, `symbols` (JSON array) or every market. */
export function eachMarket(sim: ExchangeSimulator, params: Params, fn: (m: Market) => unknown): unknown {
  if (params.has('symbol')) return fn(marketParam(sim, params));
  const symbols = param(params, 'symbols');
  if (symbols === undefined) return sim.catalog.list('binance').map(fn);
  let ids: unknown;
  try {
    ids = JSON.parse(symbols);
  } catch {
    throw new BinanceError(
      -1100,
      'Illegal characters found in parameter \'symbols\'; legal range is \'^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$\'.',
    );
  }
  if (!Array.isArray(ids)) throw invalidSymbol();
  return ids.map((id) => {
    const market = typeof id === 'string' ? sim.catalog.get('binance', id) : undefined;
    if (!market) throw invalidSymbol();
    return fn(market);
  });
}

export function exchangeInfo(sim: ExchangeSimulator, params: Params, now: number): unknown {
  const limits = sim.rateLimits.binance;
  const symbols = eachMarket(sim, params, (m) => exchangeInfoSymbol(m));
  return {
    timezone: 'UTC',
    serverTime: now,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.requestWeightPerMinute },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: limits.ordersPerDay },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: Array.isArray(symbols) ? symbols : [symbols],
  };
}

export function bookTicker(sim: ExchangeSimulator, m: Market): Record<string, unknown> {
  const book = sim.engine.book(m);
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {
    symbol: m.id,
    bidPrice: fixed8(bid?.price ?? new Dec(0)),
    bidQty: fixed8(bid?.qty ?? new Dec(0)),
    askPrice: fixed8(ask?.price ?? new Dec(0)),
    askQty: fixed8(ask?.qty ?? new Dec(0)),
  };
}

export function ticker24h(sim: ExchangeSimulator, m: Market, now: number): Record<string, unknown> {
  const last = sim.engine.price(m);
  const stats = sim.engine.history(m).stats24h(now, last);
  const change = last.minus(stats.open);
  const vwap = stats.volume.isZero() ? last : stats.quoteVolume.div(stats.volume).toDecimalPlaces(8);
  return {
    symbol: m.id,
    priceChange: fixed8(change),
    priceChangePercent: change.div(stats.open).mul(100).toFixed(3),
    weightedAvgPrice: fixed8(vwap),
    prevClosePrice: fixed8(stats.open),
    lastPrice: fixed8(last),
    lastQty: '0.00000000',
    ...bookTicker(sim, m),
    openPrice: fixed8(stats.open),
    highPrice: fixed8(stats.high),
    lowPrice: fixed8(stats.low),
    volume: fixed8(stats.volume),
    quoteVolume: fixed8(stats.quoteVolume),
    openTime: stats.openTime,
    closeTime: now,
    firstId: -1,
    lastId: -1,
    count: stats.trades,
  };
}

export function depth(sim: ExchangeSimulator, params: Params): unknown {
  const market = marketParam(sim, params);
  const limit = Math.max(1, Math.min(intParam(params, 'limit', 100), 5000));
  const book = sim.engine.book(market);
  const side = (levels: typeof book.bids): string[][] => levels.slice(0, limit).map((l) => [fixed8(l.price), fixed8(l.qty)]);
  return { lastUpdateId: sim.feed.tick + 1, bids: side(book.bids), asks: side(book.asks) };
}

export function klines(sim: ExchangeSimulator, params: Params, now: number): unknown {
  const market = marketParam(sim, params);
  const interval = param(params, 'interval');
  if (interval === undefined) throw mandatory('interval');
  const periodMs = INTERVALS[interval];
  if (periodMs === undefined) throw new BinanceError(-1120, 'Invalid interval.');
  const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
  const to = intParam(params, 'endTime', now);
  const from = intParam(params, 'startTime', 0);
  return sim.engine
    .history(market)
    .aggregate(periodMs, limit, to, sim.engine.price(market))
    .filter((c) => c.start >= from - (from % periodMs))
    .map((c) => [
      c.start,
      fixed8(c.open),
      fixed8(c.high),
      fixed8(c.low),
      fixed8(c.close),
      fixed8(c.volume),
      c.start + periodMs - 1,
      fixed8(c.quoteVolume),
      c.trades,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
}

export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}
