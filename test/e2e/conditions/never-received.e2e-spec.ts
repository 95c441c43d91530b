import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  timeline: Array<{ event: string; status: string; details: Record<string, unknown> }>;
}

interface OrderBody {
  status: string;
  clientOrderId: string;
  rejectReason: string | null;
  timeline: Array<{ event: string }>;
}

/**
 * A stop-loss whose exit request dies on the wire before the exchange executes it (connection
 * reset): the order's outcome is unknown, lookups by client order id never find it, so the exchange
 * has nothing — and the stop places its exit again instead of ending FAILED with the position bare.
 */
describe.each(TEST_DRIVERS)('a protective exit the exchange never received, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  // `all` fires through an order intent (ClosePosition); a fixed amount fires directly with its exit order (ADR 0300).
  // Each case's trigger sits below the price the previous case ended at: the app's cached ticker may still show it.
  it.each([
    { amount: 'all', trigger: '140', crossAt: '139' },
    { amount: '1.5', trigger: '138', crossAt: '137' },
  ])(
    'amount $amount: is placed again under a new client order id and the stop ends DONE, with exactly one order at the exchange',
    async ({ amount, trigger, crossAt }) => {
      await s.setPrice('binance', 'SOL/USDT', '150');
      await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'SOL/USDT', amount: '2' });
      const armed = (
        await s
          .api()
          .post('/api/conditions')
          .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'SOL/USDT', triggerPrice: trigger, amount })
          .expect(201)
      ).body as ConditionBody;

      // The next order request is cut before the emulator executes it.
      await s.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/order', method: 'POST', reset: true, count: 1 });
      await s.setPrice('binance', 'SOL/USDT', crossAt);

      // Six lookups over ~32 s decide that the exchange does not have the first order.
      const done = await s.conditionInStatus<ConditionBody>(armed.id, 'DONE', 60_000, 250);

      expect(done.orderIds).toHaveLength(2);
      const [lost, placedAgain] = await Promise.all(
        done.orderIds.map(async (id) => (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody),
      );
      expect(lost).toMatchObject({ status: 'REJECTED' });
      expect(lost.rejectReason).toMatch(/never received/);
      expect(lost.timeline.map((t) => t.event)).toContain('outcome-unknown');
      expect(placedAgain).toMatchObject({ status: 'FILLED' });
      expect(placedAgain.clientOrderId).not.toBe(lost.clientOrderId);

      const events = done.timeline.map((t) => t.event);
      expect(events).toEqual(['armed', 'triggered', 'firing', 'fired', 'resubmitting', 'fired', 'done']);
      expect(done.timeline.find((t) => t.event === 'resubmitting')!.details).toMatchObject({ orderId: done.orderIds[0] });

      // The exchange saw the position sold once: the lost request never executed.
      const first = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${lost.clientOrderId}`);
      const second = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${placedAgain.clientOrderId}`);
      expect([first.orders.length, second.orders.length]).toEqual([0, 1]);
      const position = (await s.api().get('/api/positions').query({ accountId: s.binanceAccountId }).expect(200)).body as {
        positions: Array<{ symbol: string; quantity: string }>;
      };
      const sol = Number(position.positions.find((p) => p.symbol === 'SOL/USDT')?.quantity ?? 0);
      if (amount === 'all') expect(sol).toBe(0);
      else expect(sol).toBeLessThan(0.5 + 1e-9);
    },
    90_000,
  );
});
