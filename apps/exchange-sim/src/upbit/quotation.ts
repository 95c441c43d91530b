import { Dec } from '../core/decimal.js';
import { MINUTE } from '../core/history.js';
import { UPBIT_CAUTION_REASONS } from '../core/markets.js';
import type { Market, MarketNotice } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { RawNumber } from '../http/types.js';
import { UpbitError, validation } from './errors.js';
import { upbitMarket } from './orders.js';
import type { UpbitParams } from './orders.js';
import { kst, utcNoZone } from './serialize.js';

/** Upbit's quotation answers: tickers, order books and candles of the emulated markets. */

const num = (d: Dec): RawNumber => new RawNumber(d.toFixed());
export const DAY = 1440 * MINUTE;

/** The markets a `markets=KRW-BTC,KRW-ETH` parameter names (unknown ones left out; none known is a 404). */
export function marketsOf(sim: ExchangeSimulator, params: UpbitParams): Market[] {
  const list = typeof params.markets === 'string' ? params.markets.split(',').filter((s) => s.length > 0) : [];
  if (list.length === 0) throw new UpbitError(400, 'validation_error', 'markets is required');
  const markets = list.map((id) => sim.catalog.get('upbit', id.trim())).filter((m): m is Market => m !== undefined);
  if (markets.length === 0) throw new UpbitError(404, '404', 'Code not found');
  return markets;
}

/**
 * The flags `GET /v1/market/all?isDetails=true` adds to a market: the older `market_warning`
 * ("CAUTION" under the investment-warning designation) and `market_event`, whose `caution` lists
 * every reason Upbit knows, each true or false.
 */
export function marketDetails(notice: MarketNotice): Record<string, unknown> {
  const caution = Object.fromEntries(UPBIT_CAUTION_REASONS.map((reason) => [reason, notice.cautions.includes(reason)]));
  return { market_warning: notice.warning ? 'CAUTION' : 'NONE', market_event: { warning: notice.warning, caution } };
}

export function tickerJson(sim: ExchangeSimulator, m: Market, now: number): Record<string, unknown> {
  const last = sim.engine.price(m);
  const stats = sim.engine.history(m).stats24h(now, last);
  const change = last.minus(stats.open);
  const kstText = kst(now);
  const utc = new Date(now).toISOString();
  return {
    market: m.id,
    trade_date: utc.slice(0, 10).replace(/-/g, ''),
    trade_time: utc.slice(11, 19).replace(/:/g, ''),
    trade_date_kst: kstText.slice(0, 10).replace(/-/g, ''),
    trade_time_kst: kstText.slice(11, 19).replace(/:/g, ''),
    trade_timestamp: now,
    opening_price: num(stats.open),
    high_price: num(stats.high),
    low_price: num(stats.low),
    trade_price: num(last),
    prev_closing_price: num(stats.open),
    change: change.isZero() ? 'EVEN' : change.isPositive() ? 'RISE' : 'FALL',
    change_price: num(change.abs()),
    change_rate: num(change.abs().div(stats.open).toDecimalPlaces(10)),
    signed_change_price: num(change),
    signed_change_rate: num(change.div(stats.open).toDecimalPlaces(10)),
    trade_volume: num(new Dec(0)),
    acc_trade_price: num(stats.quoteVolume),
    acc_trade_price_24h: num(stats.quoteVolume),
    acc_trade_volume: num(stats.volume),
    acc_trade_volume_24h: num(stats.volume),
    highest_52_week_price: num(stats.high),
    highest_52_week_date: utc.slice(0, 10),
    lowest_52_week_price: num(stats.low),
    lowest_52_week_date: utc.slice(0, 10),
    timestamp: now,
  };
}

export function orderbooksJson(sim: ExchangeSimulator, params: UpbitParams, now: number): unknown {
  const count = Math.max(1, Math.min(Number(params.count ?? 15) || 15, 30));
  return marketsOf(sim, params).map((m) => {
    const book = sim.engine.book(m);
    const units = [];
    for (let i = 0; i < Math.min(count, Math.max(book.asks.length, book.bids.length)); i++) {
      const ask = book.asks[i];
      const bid = book.bids[i];
      units.push({
        ask_price: num(ask?.price ?? new Dec(0)),
        bid_price: num(bid?.price ?? new Dec(0)),
        ask_size: num(ask?.qty ?? new Dec(0)),
        bid_size: num(bid?.qty ?? new Dec(0)),
      });
    }
    const total = (levels: typeof book.asks): Dec => levels.reduce((sum, l) => sum.plus(l.qty), new Dec(0));
    return {
      market: m.id,
      timestamp: now,
      total_ask_size: num(total(book.asks)),
      total_bid_size: num(total(book.bids)),
      orderbook_units: units,
      level: 0,
    };
  });
}

export function candlesJson(sim: ExchangeSimulator, params: UpbitParams, periodMs: number, now: number): unknown {
  if (![MINUTE, 3 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 240 * MINUTE, DAY].includes(periodMs)) {
    throw validation('unit does not have a valid value');
  }
  const market = upbitMarket(sim, typeof params.market === 'string' ? params.market : undefined);
  const count = Math.max(1, Math.min(Number(params.count ?? 1) || 1, 200));
  const to = typeof params.to === 'string' && !Number.isNaN(Date.parse(params.to)) ? Date.parse(params.to) : now;
  const candles = sim.engine.history(market).aggregate(periodMs, count, to, sim.engine.price(market));
  return candles.toReversed().map((c) => ({
    market: market.id,
    candle_date_time_utc: utcNoZone(c.start),
    candle_date_time_kst: kst(c.start).slice(0, 19),
    opening_price: num(c.open),
    high_price: num(c.high),
    low_price: num(c.low),
    trade_price: num(c.close),
    timestamp: Math.min(now, c.start + periodMs - 1),
    candle_acc_trade_price: num(c.quoteVolume),
    candle_acc_trade_volume: num(c.volume),
    ...(periodMs < DAY ? { unit: periodMs / MINUTE } : { prev_closing_price: num(c.open), change_price: num(c.close.minus(c.open)) }),
  }));
}
