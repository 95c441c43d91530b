import { Dec, ZERO } from './decimal.js';

export interface Candle {
  start: number;
  open: Dec;
  high: Dec;
  low: Dec;
  close: Dec;
  volume: Dec;
  quoteVolume: Dec;
  trades: number;
}

export const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * One market's recent price history as one-minute candles (a ring, newest last), enough for
 * 24h tickers and the candle endpoints. Volume counts only the emulator's own fills.
 */
export class MarketHistory {
  private readonly candles: Candle[] = [];

  constructor(private readonly capacity: number) {}

  onPrice(price: Dec, now: number): void {
    const candle = this.current(price, now);
    candle.close = price;
    if (price.greaterThan(candle.high)) candle.high = price;
    if (price.lessThan(candle.low)) candle.low = price;
  }

  onTrade(price: Dec, qty: Dec, quote: Dec, now: number): void {
    const candle = this.current(price, now);
    candle.volume = candle.volume.plus(qty);
    candle.quoteVolume = candle.quoteVolume.plus(quote);
    candle.trades += 1;
  }

  private current(price: Dec, now: number): Candle {
    const start = now - (now % MINUTE);
    const last = this.candles[this.candles.length - 1];
    if (last && last.start === start) return last;
    const open = last ? last.close : price;
    const candle: Candle = {
      start,
      open,
      high: Dec.max(open, price),
      low: Dec.min(open, price),
      close: price,
      volume: ZERO,
      quoteVolume: ZERO,
      trades: 0,
    };
    this.candles.push(candle);
    if (this.candles.length > this.capacity) this.candles.shift();
    return candle;
  }

  /** Candles of `periodMs` (aligned to the epoch, so days start 00:00 UTC), oldest first, ending at `to`. */
  aggregate(periodMs: number, count: number, to: number, lastPrice: Dec): Candle[] {
    this.onPrice(lastPrice, Math.min(to, Date.now()));
    const byStart = new Map<number, Candle>();
    for (const c of this.candles) {
      if (c.start > to) break;
      const start = c.start - (c.start % periodMs);
      const agg = byStart.get(start);
      if (!agg) byStart.set(start, { ...c, start });
      else {
        agg.high = Dec.max(agg.high, c.high);
        agg.low = Dec.min(agg.low, c.low);
        agg.close = c.close;
        agg.volume = agg.volume.plus(c.volume);
        agg.quoteVolume = agg.quoteVolume.plus(c.quoteVolume);
        agg.trades += c.trades;
      }
    }
    const all = [...byStart.values()];
    return all.slice(Math.max(0, all.length - count));
  }

  stats24h(
    now: number,
    lastPrice: Dec,
  ): { open: Dec; high: Dec; low: Dec; volume: Dec; quoteVolume: Dec; trades: number; openTime: number } {
    this.onPrice(lastPrice, now);
    const from = now - DAY;
    let open: Dec | undefined;
    let openTime = now;
    let high = lastPrice;
    let low = lastPrice;
    let volume = ZERO;
    let quoteVolume = ZERO;
    let trades = 0;
    for (const c of this.candles) {
      if (c.start + MINUTE <= from) continue;
      if (open === undefined) {
        open = c.open;
        openTime = Math.max(c.start, from);
      }
      high = Dec.max(high, c.high);
      low = Dec.min(low, c.low);
      volume = volume.plus(c.volume);
      quoteVolume = quoteVolume.plus(c.quoteVolume);
      trades += c.trades;
    }
    return { open: open ?? lastPrice, high, low, volume, quoteVolume, trades, openTime };
  }
}
