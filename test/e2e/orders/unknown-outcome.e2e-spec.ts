import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface SimOrder {
  clientOrderId: string;
  status: string;
  filled: string;
}

const TRUE_STATUS: Record<string, string> = {
  NEW: 'OPEN',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  EXPIRED: 'CANCELED',
};
const ORDERS = 200;

describe.each(TEST_DRIVERS)('orders whose outcome is unknown, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
    await s.control('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'sim-binance-api-key-not-a-secret',
      secret: 'sim-binance-secret-not-a-secret',
      balances: { USDT: '100000000', BTC: '1000' },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  // At the order budget (81 orders per 10 s on the manual lane) 200 orders take ~20 s to send.
  it(
    `places ${ORDERS} orders while every answer is lost after execution (-1007): exactly ${ORDERS} at the exchange, all resolved, none twice`,
    { timeout: 120_000 },
    async () => {
      await s.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/order', method: 'POST', timeoutAfterExecute: '-1007' });
      const placed = await Promise.all(
        Array.from({ length: ORDERS }, (_, i) =>
          s
            .api()
            .post('/api/orders')
            .send(
              i % 2 === 0
                ? { accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.001' }
                : { accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.001', price: '30000' },
            ),
        ),
      );
      expect(placed.map((r) => r.status)).toEqual(Array(ORDERS).fill(201));
      // Each answers UNKNOWN, unless its lookup (0.5 s later) already resolved it before the
      // response was read on a busy machine; every order's timeline is checked for it below.
      expect(placed.filter((r) => !['UNKNOWN', 'OPEN', 'FILLED'].includes(r.body.status as string))).toEqual([]);
      expect(placed.filter((r) => r.body.status === 'UNKNOWN').length).toBeGreaterThan(0);
      await s.control('DELETE', '/faults');

      const ids = placed.map((r) => r.body.id as string);
      await expect
        .poll(
          async () => {
            const list = await s.api().get('/api/orders').query({ status: 'UNKNOWN', limit: 500 }).expect(200);
            return list.body.total;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(0);

      const atExchange = (await s.control<{ orders: SimOrder[] }>('GET', '/orders?exchange=binance')).orders;
      const byClientId = new Map<string, SimOrder[]>();
      for (const o of atExchange) byClientId.set(o.clientOrderId, [...(byClientId.get(o.clientOrderId) ?? []), o]);
      for (const id of ids) {
        const order = (await s.api().get(`/api/orders/${id}`).expect(200)).body as {
          clientOrderId: string;
          status: string;
          filled: string;
          timeline: Array<{ event: string }>;
        };
        const copies = byClientId.get(order.clientOrderId) ?? [];
        expect(copies, order.clientOrderId).toHaveLength(1);
        expect(order.status).toBe(TRUE_STATUS[copies[0].status]);
        expect(order.filled).toBe(copies[0].filled);
        expect(order.timeline.map((t) => t.event)).toContain('outcome-unknown');
      }
    },
  );
});
