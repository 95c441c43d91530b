import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const RESTING_PER_EXCHANGE = 20;
const PASSES = 5;

/** Requests the emulator counted since the last reset, by `METHOD /path`. */
async function requestCounts(s: TradingStack, exchange: 'binance' | 'upbit'): Promise<Record<string, number>> {
  return (await s.control<{ requests: Record<string, number> }>('GET', `/requests?exchange=${exchange}`)).requests;
}

describe.each(TEST_DRIVERS)('following resting orders, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it(`reads ${RESTING_PER_EXCHANGE} resting orders per market with one open-orders request a pass, and fetches alone only the one that ended`, async () => {
    const place = (body: Record<string, string>) => s.api().post('/api/orders').send(body).expect(201);
    const binance: Array<{ id: string; clientOrderId: string; status: string }> = [];
    const upbit: Array<{ id: string; clientOrderId: string; status: string }> = [];
    for (let i = 0; i < RESTING_PER_EXCHANGE; i++) {
      binance.push(
        (
          await place({
            accountId: s.binanceAccountId,
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            amount: '0.001',
            price: String(40_000 + i),
          })
        ).body,
      );
      upbit.push(
        (
          await place({
            accountId: s.upbitAccountId,
            symbol: 'BTC/KRW',
            side: 'buy',
            type: 'limit',
            amount: '0.001',
            price: String(60_000_000 - i * 1000),
          })
        ).body,
      );
    }
    expect([...binance, ...upbit].map((o) => o.status)).toEqual(Array(2 * RESTING_PER_EXCHANGE).fill('OPEN'));

    await s.control('DELETE', '/requests');
    for (let pass = 0; pass < PASSES; pass++) await s.api().post('/api/orders/reconcile').expect(200);
    const quiet = { binance: await requestCounts(s, 'binance'), upbit: await requestCounts(s, 'upbit') };
    // At least one list per pass (the background tracker may add passes of its own), and not one
    // read of a single order: before, each pass cost one request per resting order.
    expect(quiet.binance['GET /api/v3/openOrders'] ?? 0).toBeGreaterThanOrEqual(PASSES);
    expect(quiet.binance['GET /api/v3/order'] ?? 0).toBe(0);
    const upbitLists = Object.entries(quiet.upbit).filter(([path]) => path.startsWith('GET /v1/orders'));
    expect(upbitLists.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThanOrEqual(PASSES);
    expect(quiet.upbit['GET /v1/order'] ?? 0).toBe(0);

    // One order fills at each exchange: it leaves the open list, is fetched alone and recorded.
    await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: binance[3].clientOrderId });
    await s.control('POST', '/fill', { exchange: 'upbit', clientOrderId: upbit[7].clientOrderId });
    await s.control('DELETE', '/requests');
    await s.api().post('/api/orders/reconcile').expect(200);
    for (const filled of [binance[3], upbit[7]]) {
      const order = (await s.api().get(`/api/orders/${filled.id}`).expect(200)).body as { status: string; filled: string };
      expect(order).toMatchObject({ status: 'FILLED', filled: '0.001' });
    }
    const after = { binance: await requestCounts(s, 'binance'), upbit: await requestCounts(s, 'upbit') };
    expect(after.binance['GET /api/v3/order']).toBeGreaterThanOrEqual(1);
    expect(after.upbit['GET /v1/order']).toBeGreaterThanOrEqual(1);
    const open = await s.api().get('/api/orders').query({ status: 'OPEN', limit: 500 }).expect(200);
    expect(open.body.total).toBe(2 * RESTING_PER_EXCHANGE - 2);
  });
});
