import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness } from '../../../../test/support/sim-harness.js';

interface ControlOrders {
  orders: Array<{ id: string; clientOrderId: string; status: string }>;
}

describe('faults and rate limits as ccxt sees them', () => {
  let fx: SimHarness;
  let binance: Exchange;
  let upbit: Exchange;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    binance = fx.binance();
    upbit = fx.upbit();
    await Promise.all([binance.loadMarkets(), upbit.loadMarkets()]);
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/reset');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '60000' });
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '90000000' });
    binance.timeout = 10_000;
    upbit.timeout = 10_000;
  });

  it('adds latency until the client times out', async () => {
    await fx.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/ticker/24hr', latencyMs: 800, count: 1 });
    binance.timeout = 200;
    await expect(binance.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    binance.timeout = 10_000;
    await expect(binance.fetchTicker('BTC/USDT')).resolves.toMatchObject({ last: 60000 });
  });

  it('answers 5xx as an unavailable exchange, once per count', async () => {
    await fx.control('POST', '/faults', { exchange: 'upbit', endpoint: '/v1/ticker', status: 503, count: 1 });
    await expect(upbit.fetchTicker('BTC/KRW')).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    await expect(upbit.fetchTicker('BTC/KRW')).resolves.toMatchObject({ last: 90000000 });
    await fx.control('POST', '/faults', { exchange: 'binance', status: 502 });
    await expect(binance.fetchBalance()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    const { faults } = await fx.control<{ faults: Array<{ applied: number }> }>('GET', '/faults');
    expect(faults[0].applied).toBe(1);
    await fx.control('DELETE', '/faults');
    await expect(binance.fetchBalance()).resolves.toBeDefined();
  });

  it('storms 429s in each exchange’s format', async () => {
    await fx.control('POST', '/faults', { rate429: 1, count: 2 });
    await expect(binance.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    await expect(upbit.fetchTicker('BTC/KRW')).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
  });

  it('resets connections', async () => {
    await fx.control('POST', '/faults', { exchange: 'binance', reset: true, count: 1 });
    await expect(binance.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.NetworkError);
  });

  it('timeoutAfterExecute on Binance: the order executes once, the answer never comes', async () => {
    await fx.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/order',
      method: 'POST',
      timeoutAfterExecute: true,
      count: 1,
    });
    binance.timeout = 300;
    await expect(
      binance.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'lost-answer-1' }),
    ).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    binance.timeout = 10_000;
    const { orders } = await fx.control<ControlOrders>('GET', '/orders?exchange=binance&clientOrderId=lost-answer-1');
    expect(orders).toHaveLength(1);
    expect(orders[0].status).toBe('FILLED');
    const found = await binance.fetchOrder('', 'BTC/USDT', { clientOrderId: 'lost-answer-1' });
    expect(found.id).toBe(orders[0].id);
    expect(found.status).toBe('closed');
  });

  it("timeoutAfterExecute '-1007' on Binance: executed, answered with the unknown-status error", async () => {
    await fx.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/order',
      method: 'POST',
      timeoutAfterExecute: '-1007',
      count: 1,
    });
    await expect(binance.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'unknown-1' })).rejects.toBeInstanceOf(
      ccxt.RequestTimeout,
    );
    const { orders } = await fx.control<ControlOrders>('GET', '/orders?exchange=binance&clientOrderId=unknown-1');
    expect(orders.map((o) => o.status)).toEqual(['NEW']);
  });

  it('timeoutAfterExecute on Upbit: exactly one order, found by identifier', async () => {
    await fx.control('POST', '/faults', { exchange: 'upbit', endpoint: '/v1/orders', method: 'POST', timeoutAfterExecute: true, count: 1 });
    upbit.timeout = 300;
    await expect(upbit.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 89000000, { clientOrderId: 'up-lost-1' })).rejects.toBeInstanceOf(
      ccxt.RequestTimeout,
    );
    upbit.timeout = 10_000;
    const { orders } = await fx.control<ControlOrders>('GET', '/orders?exchange=upbit&clientOrderId=up-lost-1');
    expect(orders).toHaveLength(1);
    const raw = upbit as unknown as { privateGetOrder(p: object): Promise<object> };
    const found = upbit.parseOrder(await raw.privateGetOrder({ identifier: 'up-lost-1' }));
    expect(found.id).toBe(orders[0].id);
    expect(found.status).toBe('open');
  });

  it('Binance: request weight → 429 with Retry-After, then 418; headers on every answer', async () => {
    await fx.control('POST', '/config', { rateLimits: { binance: { requestWeightPerMinute: 10, banAfter429s: 2 } } });
    try {
      const first = await fetch(`${fx.sim.url}/binance/api/v3/ping`);
      expect(first.headers.get('x-mbx-used-weight-1m')).toMatch(/^\d+$/);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 200 && !statuses.includes(418); i++) {
        const res = await fetch(`${fx.sim.url}/binance/api/v3/ping`);
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
        await res.arrayBuffer();
      }
      expect(statuses).toContain(429);
      expect(statuses.indexOf(429)).toBeLessThan(statuses.indexOf(418));
      expect(Number(retryAfter)).toBeGreaterThan(0);
      await expect(binance.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    } finally {
      await fx.control('POST', '/config', { rateLimits: { binance: { requestWeightPerMinute: 6000, banAfter429s: 10 } } });
      await fx.control('POST', '/reset');
    }
  });

  it('Binance: order count per 10 s → -1015 with X-MBX-ORDER-COUNT-10S', async () => {
    await fx.control('POST', '/config', { rateLimits: { binance: { ordersPer10s: 2 } } });
    try {
      const seen: unknown[] = [];
      const counts: string[] = [];
      for (let i = 0; i < 50; i++) {
        try {
          await binance.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 50000);
          const headers = (binance.last_response_headers ?? {}) as Record<string, string>;
          counts.push(headers['X-Mbx-Order-Count-10s'] ?? '');
        } catch (error) {
          seen.push(error);
          break;
        }
      }
      // Binance answers an order-count breach with HTTP 429, which ccxt reports as DDoSProtection.
      expect(seen[0]).toBeInstanceOf(ccxt.DDoSProtection);
      expect(String(seen[0])).toMatch(/-1015/);
      expect(counts.length).toBeGreaterThan(0);
      expect(counts.every((c) => /^\d+$/.test(c))).toBe(true);
    } finally {
      await fx.control('POST', '/config', { rateLimits: { binance: { ordersPer10s: 100 } } });
    }
  });

  it('Upbit: plain-text 429 then 418; Remaining-Req on answers', async () => {
    await fx.control('POST', '/config', { rateLimits: { upbit: { quotationPerSecond: 3, banAfter429s: 2 } } });
    try {
      const ok = await fetch(`${fx.sim.url}/upbit/v1/market/all`);
      expect(ok.headers.get('remaining-req')).toMatch(/^group=market; min=\d+; sec=\d+$/);
      const bodies: Array<[number, string]> = [];
      for (let i = 0; i < 200 && !bodies.some(([s]) => s === 418); i++) {
        const res = await fetch(`${fx.sim.url}/upbit/v1/market/all`);
        bodies.push([res.status, await res.text()]);
      }
      const limited = bodies.find(([s]) => s === 429);
      expect(limited?.[1]).toBe('Too many API requests.');
      expect(bodies.some(([s]) => s === 418)).toBe(true);
      await expect(upbit.fetchMarkets()).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    } finally {
      await fx.control('POST', '/config', { rateLimits: { upbit: { quotationPerSecond: 10, banAfter429s: 10 } } });
      await fx.control('POST', '/reset');
    }
  });

  it('Upbit: the order group answers RateLimitExceeded through ccxt', async () => {
    await fx.control('POST', '/config', { rateLimits: { upbit: { orderPerSecond: 1, banAfter429s: 100 } } });
    try {
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) {
        await upbit.createOrder('BTC/KRW', 'limit', 'buy', 0.0001, 80000000).catch((e: unknown) => (error = e));
      }
      expect(error).toBeInstanceOf(ccxt.RateLimitExceeded);
    } finally {
      await fx.control('POST', '/config', { rateLimits: { upbit: { orderPerSecond: 8, banAfter429s: 10 } } });
      await fx.control('POST', '/reset');
    }
  });

  it('serves the control API to loopback only and rejects bad input', async () => {
    const res = await fetch(`${fx.sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ rate429: 5 }) });
    expect(res.status).toBe(400);
    const unknown = await fetch(`${fx.sim.url}/_sim/nope`);
    expect(unknown.status).toBe(404);
    const notFound = await fetch(`${fx.sim.url}/elsewhere`);
    expect(notFound.status).toBe(404);
  });
});
