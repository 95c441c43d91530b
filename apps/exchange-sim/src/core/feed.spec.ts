import { describe, expect, it } from 'vitest';
import { Dec } from './decimal.js';
import { PriceFeed, parseCandleCsv } from './feed.js';
import { MarketCatalog } from './markets.js';

describe('price feed', () => {
  it('parses candle CSV with or without header, ms or ISO times, into an open → extremes → close path', () => {
    const { points, candleMs } = parseCandleCsv('2024-01-01T00:00:00Z,10,12,9,11\n2024-01-01T00:05:00Z,11,11.5,8,9,100\n');
    expect(candleMs).toBe(300_000);
    expect(points.map((p) => p.price)).toEqual(['10', '9', '12', '11', '11', '11.5', '8', '9']);
    expect(parseCandleCsv('1000,1,1,1,1').candleMs).toBe(60_000);
    expect(() => parseCandleCsv('time,open,high,low,close\n')).toThrow(/no candles/);
    expect(() => parseCandleCsv('1,2,3')).toThrow(/needs/);
    expect(() => parseCandleCsv('yesterday,1,1,1,1')).toThrow(/time/);
    expect(() => parseCandleCsv('1000,1,1,-1,1')).toThrow(/price/);
  });

  it('continues from a persisted state, giving markets added since a start price', () => {
    const small = new PriceFeed(new MarketCatalog(1), { seed: 5, mode: 'random' });
    small.step();
    const saved = JSON.parse(JSON.stringify(small.snapshot())) as ReturnType<PriceFeed['snapshot']>;
    const bigger = new PriceFeed(new MarketCatalog(3), { seed: 5, mode: 'random' }, saved);
    expect(bigger.tick).toBe(1);
    expect(bigger.priceText('binance', 'BTCUSDT')).toBe(small.priceText('binance', 'BTCUSDT'));
    expect(bigger.price('binance', 'SYN003USDT').greaterThan(0)).toBe(true);
    expect(() => bigger.price('binance', 'NOPE')).toThrow(/no price/);
    expect(bigger.priceText('binance', 'NOPE')).toBe('0');
  });

  it('moves only the market told in manual mode, and its whole driver in random mode', () => {
    const catalog = new MarketCatalog();
    const feed = new PriceFeed(catalog, { seed: 1, mode: 'manual' });
    expect(feed.step()).toEqual([]);
    const upbitBefore = feed.priceText('upbit', 'KRW-BTC');
    expect(feed.setPrice(catalog.get('binance', 'BTCUSDT')!, new Dec(70000))).toEqual(['binance:BTCUSDT']);
    expect(feed.priceText('upbit', 'KRW-BTC')).toBe(upbitBefore);
    feed.setMode('random');
    const changed = feed.setPrice(catalog.get('upbit', 'KRW-USDT')!, new Dec(1500));
    expect(changed).toContain('upbit:KRW-BTC');
    expect(feed.priceText('binance', 'ETHBTC')).not.toBe('0');
  });
});
