import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  filled: string;
  filledCost: string;
  average: string | null;
  fee: string | null;
  timeline: Array<{ event: string; status: string; details?: Record<string, unknown> }>;
}

const TERMINAL = ['FILLED', 'CANCELED', 'REJECTED'];

/**
 * Upbit ends a market buy sized in KRW in state `cancel` when the last KRW cannot buy one more
 * 1e-8 BTC and are handed back (its docs: `done` only when the budget divides exactly). ccxt
 * calls that `canceled`; the trader bought coins and must see FILLED.
 */
describe.each(TEST_DRIVERS)('Upbit market buy by KRW cost on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  const settled = async (id: string): Promise<OrderBody> => {
    let last: OrderBody | undefined;
    await expect
      .poll(
        async () => {
          last = (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
          return TERMINAL.includes(last.status);
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true);
    return last!;
  };

  it('that executed with KRW left over ends FILLED with its amount and cost; the timeline keeps Upbit’s `cancel`', async () => {
    // 100,000 KRW at 70,000,000 buys 0.00142857 BTC for 99,999.9 KRW; 0.1 KRW cannot buy 1e-8 more.
    const placed = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' })
      .expect(201);
    const order = await settled((placed.body as OrderBody).id);

    // The emulator ends it as Upbit does: over with the remainder cancelled (its API says `cancel`).
    const atExchange = await s.control<{ orders: Array<{ status: string; filled: string }> }>(
      'GET',
      `/orders?exchange=upbit&clientOrderId=${order.clientOrderId}`,
    );
    expect(atExchange.orders.map((o) => [o.status, o.filled])).toEqual([['CANCELED', '0.00142857']]);

    expect(order).toMatchObject({ status: 'FILLED', filled: '0.00142857', filledCost: '99999.9', average: '70000000', fee: '49.99995' });
    const ended = order.timeline.find((t) => t.event === 'filled');
    expect(ended?.details).toMatchObject({ exchangeStatus: 'cancel' });
    expect(order.timeline.some((t) => t.event === 'canceled')).toBe(false);
  });

  it('that divides exactly ends FILLED, the timeline showing Upbit’s `done`', async () => {
    const placed = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '700000' })
      .expect(201);
    const order = await settled((placed.body as OrderBody).id);
    expect(order).toMatchObject({ status: 'FILLED', filled: '0.01', filledCost: '700000' });
    expect(order.timeline.find((t) => t.event === 'filled')?.details).toMatchObject({ exchangeStatus: 'done' });
  });
});
