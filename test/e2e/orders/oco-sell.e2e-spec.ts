import { CommandBus } from '@nestjs/cqrs';
import { PlaceOcoSellCommand, type PlaceOcoSellResult } from '@tradedesk/orders';
import { dec } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface SimOrder {
  clientOrderId: string;
  type: string;
  status: string;
  filled: string;
  side: string;
}

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  filled: string;
  orderList?: { listClientOrderId: string; exchangeListId: string | null; legType: string; stopPrice: string | null };
  timeline: Array<{ event: string }>;
}

describe.each(TEST_DRIVERS)('native OCO sells through the orders lib, on %s', (driver) => {
  let s: TradingStack;
  const placeOco = (key?: string, stopLimitPrice?: string): Promise<PlaceOcoSellResult> =>
    s.app.app.get(CommandBus).execute(
      new PlaceOcoSellCommand(
        {
          accountId: s.binanceAccountId,
          symbol: 'BTC/USDT',
          amount: dec('0.01'),
          takeProfitPrice: dec('55000'),
          stopPrice: dec('45000'),
          ...(stopLimitPrice ? { stopLimitPrice: dec(stopLimitPrice) } : {}),
        },
        { idempotencyKey: key, purpose: 'protective', cause: 'test' },
      ),
    );
  const order = async (id: string) => (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
  const simOrders = async () => (await s.control<{ orders: SimOrder[] }>('GET', '/orders?exchange=binance')).orders;

  beforeAll(async () => {
    s = await startTradingStack(driver);
    await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.05' })
      .expect(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('records both legs linked by one list, sends the list once, replays an idempotency key, and follows the legs to their end', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const placed = await placeOco('oco-e2e-1');
    expect(placed.created).toBe(true);
    const again = await placeOco('oco-e2e-1');
    expect(again).toEqual({ ...placed, created: false });

    const stop = await order(placed.stopLossOrderId);
    const takeProfit = await order(placed.takeProfitOrderId);
    expect(stop).toMatchObject({
      status: 'OPEN',
      orderList: { listClientOrderId: placed.listClientOrderId, legType: 'stop_loss', stopPrice: '45000' },
    });
    expect(takeProfit).toMatchObject({
      status: 'OPEN',
      orderList: { listClientOrderId: placed.listClientOrderId, legType: 'limit_maker' },
    });
    expect(stop.orderList!.exchangeListId).toMatch(/^\d+$/);
    const legsAtSim = (await simOrders()).filter(
      (o) => o.clientOrderId === stop.clientOrderId || o.clientOrderId === takeProfit.clientOrderId,
    );
    expect(legsAtSim.map((o) => o.type).sort((a, b) => a.localeCompare(b))).toEqual(['LIMIT_MAKER', 'STOP_LOSS']);

    await s.setPrice('binance', 'BTC/USDT', '44000');
    await expect.poll(async () => (await order(placed.stopLossOrderId)).status, { timeout: 15_000, interval: 100 }).toBe('FILLED');
    await expect.poll(async () => (await order(placed.takeProfitOrderId)).status, { timeout: 15_000, interval: 100 }).toBe('CANCELED');
    expect((await order(placed.stopLossOrderId)).filled).toBe('0.01');
    const sells = (await simOrders()).filter((o) => o.side === 'sell' && o.status === 'FILLED');
    expect(sells).toHaveLength(1);
  });

  it('resolves both legs of a list whose answer was lost after execution, by client order id, without sending it again', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    await s.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/orderList/oco',
      method: 'POST',
      timeoutAfterExecute: '-1007',
      count: 1,
    });
    const placed = await placeOco(undefined, '44900');
    await s.control('DELETE', '/faults');
    for (const id of [placed.stopLossOrderId, placed.takeProfitOrderId]) {
      await expect.poll(async () => (await order(id)).status, { timeout: 30_000, interval: 100 }).toBe('OPEN');
      const body = await order(id);
      expect(body.timeline.map((t) => t.event)).toContain('outcome-unknown');
      const copies = (await simOrders()).filter((o) => o.clientOrderId === body.clientOrderId);
      expect(copies).toHaveLength(1);
    }
    expect((await order(placed.stopLossOrderId)).orderList!.legType).toBe('stop_loss_limit');

    // Cancelling one leg cancels the list at the exchange; both legs end CANCELED here.
    await s
      .api()
      .delete(`/api/orders/${placed.takeProfitOrderId}`)
      .expect((r) => expect([200, 202, 204]).toContain(r.status));
    await expect.poll(async () => (await order(placed.stopLossOrderId)).status, { timeout: 15_000, interval: 100 }).toBe('CANCELED');
    expect((await order(placed.takeProfitOrderId)).status).toBe('CANCELED');
  });
});
