import { dec, ResilientCache } from '@tradedesk/shared';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { describe, expect, it, vi } from 'vitest';
import type { ExchangeGateway, Ticker } from '../domain/exchange-gateway.js';
import { CachedGateway, fromWire, toWire } from './cached-gateway.js';

function fakeGateway() {
  const ticker = (symbol: string): Ticker => ({
    symbol,
    last: dec('60000.5'),
    bid: dec('60000'),
    timestamp: new Date('2026-11-26T12:00:00Z'),
  });
  const inner = {
    exchange: 'binance',
    mode: 'sim',
    capabilities: { quoteCurrencies: ['USDT'] },
    fetchTicker: vi.fn(async (symbol: string) => {
      await new Promise((r) => setTimeout(r, 20));
      return ticker(symbol);
    }),
    fetchTickers: vi.fn(async (symbols: string[]) => Object.fromEntries(symbols.map((s) => [s, ticker(s)]))),
    fetchBalances: vi.fn(async () => ({ USDT: { asset: 'USDT', free: dec('10'), locked: dec('0'), total: dec('10') } })),
    createOrder: vi.fn(async () => {
      throw new Error('refused');
    }),
    cancelOrder: vi.fn(async () => ({})),
    fetchOrder: vi.fn(async () => ({ exchangeOrderId: '1' })),
  } as unknown as ExchangeGateway & Record<string, ReturnType<typeof vi.fn>>;
  const cache = new ResilientCache(createCache({ stores: [new Keyv()] }), { kind: 'memory', ping: async () => true });
  return { inner, sut: new CachedGateway(inner, cache, 'binance:sim:test', 'acc-1') };
}

describe('CachedGateway', () => {
  it('makes one exchange call for 100 concurrent ticker reads and returns Decimals', async () => {
    const { inner, sut } = fakeGateway();
    const results = await Promise.all(Array.from({ length: 100 }, () => sut.fetchTicker('btc/usdt')));
    expect(inner.fetchTicker).toHaveBeenCalledTimes(1);
    expect(results.every((t) => t.last.equals(dec('60000.5')) && t.timestamp instanceof Date)).toBe(true);
  });

  it('a fresh read always asks the exchange and refreshes the cache for ordinary reads', async () => {
    const { inner, sut } = fakeGateway();
    await sut.fetchTickers(['ETH/USDT', 'BTC/USDT']);
    await sut.fetchTickers(['ETH/USDT', 'BTC/USDT'], { lane: 'protective', fresh: true });
    await sut.fetchTickers(['ETH/USDT', 'BTC/USDT'], { lane: 'protective', fresh: true });
    expect(inner.fetchTickers).toHaveBeenCalledTimes(3);
    const answer = await sut.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(inner.fetchTickers).toHaveBeenCalledTimes(3);
    expect(answer['BTC/USDT'].last.equals(dec('60000.5'))).toBe(true);
    await sut.fetchTicker('BTC/USDT', { fresh: true });
    await sut.fetchTicker('BTC/USDT');
    expect(inner.fetchTicker).toHaveBeenCalledTimes(1);
  });

  it('batches many symbols into one call, keyed by the sorted set', async () => {
    const { inner, sut } = fakeGateway();
    await sut.fetchTickers(['ETH/USDT', 'BTC/USDT']);
    await sut.fetchTickers(['BTC/USDT', 'ETH/USDT', 'btc/usdt']);
    expect(inner.fetchTickers).toHaveBeenCalledTimes(1);
    expect(await sut.fetchTickers([])).toEqual({});
  });

  it('drops cached balances after an order call, even a failed one', async () => {
    const { inner, sut } = fakeGateway();
    await sut.fetchBalances();
    await sut.fetchBalances();
    expect(inner.fetchBalances).toHaveBeenCalledTimes(1);
    await expect(sut.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: dec(10), clientOrderId: 'x' })).rejects.toThrow(
      'refused',
    );
    await sut.fetchBalances();
    expect(inner.fetchBalances).toHaveBeenCalledTimes(2);
    await sut.cancelOrder('BTC/USDT', '1');
    await sut.fetchBalances();
    expect(inner.fetchBalances).toHaveBeenCalledTimes(3);
    await sut.fetchOrder('BTC/USDT', '1');
    expect(inner.fetchOrder).toHaveBeenCalledOnce();
  });

  it('round-trips Decimals and Dates through JSON (Redis)', () => {
    const value = {
      price: dec('0.000000012345'),
      at: new Date('2026-01-01T00:00:00Z'),
      levels: [{ p: dec('1') }],
      note: 'x',
      none: undefined,
    };
    const back = fromWire<typeof value>(JSON.parse(JSON.stringify(toWire(value))));
    expect(back.price.toFixed()).toBe('0.000000012345');
    expect(back.at.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(back.levels[0].p.toFixed()).toBe('1');
    expect(back.note).toBe('x');
    expect('none' in back).toBe(false);
  });
});
