import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface CandleLine {
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

interface PortfolioAccount {
  exchange: string;
  quote: string | null;
  value: string | null;
  assets: Array<{ asset: string; total: string; price: string | null; value: string | null }>;
  unvalued: string[];
  error: string | null;
}

/**
 * What the dashboard reads beyond orders: candles of any market (ccxt fetchOHLCV against the
 * emulator's Binance klines and Upbit candles, over HTTP) and the portfolio valued at last prices
 * with KRW and USDT totals at Upbit's USDT/KRW price.
 */
describe.each(TEST_DRIVERS)('candles and the portfolio on %s', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['binance', 'BTC/USDT', ['51000', '49500', '50250.5']],
    ['upbit', 'BTC/KRW', ['71000000', '69500000', '70250000']],
  ] as const)('candles of %s %s carry the prices the market went through, oldest first', async (exchange, symbol, prices) => {
    for (const price of prices) await s.setPrice(exchange, symbol, price);
    const accountId = exchange === 'binance' ? s.binanceAccountId : s.upbitAccountId;
    const res = await s.api().get('/api/candles').query({ accountId, symbol, timeframe: '1m', limit: 3 }).expect(200);
    const body = res.body as { exchange: string; symbol: string; timeframe: string; candles: CandleLine[] };
    expect(body).toMatchObject({ exchange, symbol, timeframe: '1m' });
    expect(body.candles.length).toBeGreaterThanOrEqual(1);
    expect(body.candles.length).toBeLessThanOrEqual(3);
    const times = body.candles.map((c) => Date.parse(c.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const t of times) expect(t % 60_000).toBe(0);
    // The prices were set within a minute or two: whatever candles they fell in, the extremes are there
    // and the last candle closes at the last price, written as the exchange wrote it (no trailing zeros).
    const highs = body.candles.map((c) => Number(c.high));
    const lows = body.candles.map((c) => Number(c.low));
    expect(Math.max(...highs)).toBeGreaterThanOrEqual(Number(prices[0]));
    expect(Math.min(...lows)).toBeLessThanOrEqual(Number(prices[1]));
    expect(body.candles.at(-1)?.close).toBe(prices[2]);
    for (const c of body.candles) expect(c.open).toMatch(/^\d+(\.\d*[1-9])?$/);
  });

  it('days, hours and the default length answer too; a bad timeframe or market is refused by name', async () => {
    for (const timeframe of ['1d', '4h', '1h', '15m', '5m']) {
      const res = await s.api().get('/api/candles').query({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', timeframe }).expect(200);
      expect((res.body as { candles: CandleLine[] }).candles.length, timeframe).toBeGreaterThanOrEqual(1);
    }
    const bad = await s.api().get('/api/candles').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', timeframe: '7m' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED' });
    expect(JSON.stringify(bad.body)).toContain('timeframe');
    const tooMany = await s.api().get('/api/candles').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', limit: 201 }).expect(400);
    expect(JSON.stringify(tooMany.body)).toContain('limit');
    const unknown = await s.api().get('/api/candles').query({ accountId: s.binanceAccountId, symbol: 'NOPE/USDT' }).expect(404);
    expect(unknown.body).toMatchObject({ code: 'MARKET.NOT_FOUND' });
  });

  it('values every account at last prices and converts the totals at Upbit USDT/KRW, naming the rate', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
    await s.setPrice('upbit', 'USDT/KRW', '1400');
    // Tickers are cached about a second: poll until the answer is on the prices just set.
    let body: { accounts: PortfolioAccount[]; totals: { KRW: string; USDT: string }; complete: boolean; conversion: unknown } | undefined;
    await expect
      .poll(
        async () => {
          body = (await s.api().get('/api/portfolio').expect(200)).body as typeof body;
          return body?.totals;
        },
        { timeout: 10_000, interval: 200 },
      )
      // Binance 10,000 USDT + 0.1 BTC × 50,000 = 15,000 USDT; Upbit 10,000,000 KRW + 0.1 × 70,000,000 = 17,000,000 KRW.
      // KRW: 15,000 × 1,400 + 17,000,000 = 38,000,000; USDT: 15,000 + 17,000,000 / 1,400 = 27,142.857142857… → 8 places.
      .toEqual({ KRW: '38000000', USDT: '27142.85714286' });
    expect(body!.complete).toBe(true);
    expect(body!.conversion).toMatchObject({
      usdtKrw: '1400',
      exchange: 'upbit',
      symbol: 'USDT/KRW',
      source: 'last',
      accountId: s.upbitAccountId,
    });
    const binance = body!.accounts.find((a) => a.exchange === 'binance')!;
    expect(binance).toMatchObject({ quote: 'USDT', value: '15000', unvalued: [], error: null });
    expect(binance.assets).toEqual([
      expect.objectContaining({ asset: 'BTC', total: '0.1', price: '50000', value: '5000' }),
      expect.objectContaining({ asset: 'USDT', total: '10000', price: null, value: '10000' }),
    ]);
    expect(body!.accounts.find((a) => a.exchange === 'upbit')).toMatchObject({ quote: 'KRW', value: '17000000' });
  });

  it('an account whose exchange does not answer is named with its error and left out of the totals', async () => {
    await s.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/account', status: 503 });
    try {
      let body: { accounts: PortfolioAccount[]; totals: { KRW: string | null }; complete: boolean } | undefined;
      // Balances are cached about two seconds: poll until the read meets the fault.
      await expect
        .poll(
          async () => {
            body = (await s.api().get('/api/portfolio').expect(200)).body as typeof body;
            return body?.complete;
          },
          { timeout: 10_000, interval: 200 },
        )
        .toBe(false);
      const binance = body!.accounts.find((a) => a.exchange === 'binance')!;
      expect(binance.error).toMatch(/binance/i);
      expect(binance.value).toBeNull();
      expect(body!.totals.KRW).toBe('17000000');
    } finally {
      await s.control('DELETE', '/faults');
    }
  });
});
