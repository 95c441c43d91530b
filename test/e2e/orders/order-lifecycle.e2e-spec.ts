import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  filled: string;
  average: string | null;
  fee: string | null;
  feeCurrency: string | null;
  timeline: Array<{ event: string; status: string; cause: string }>;
}

describe.each(TEST_DRIVERS)('order lifecycle against the emulator on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  const waitForStatus = async (id: string, status: string): Promise<OrderBody> => {
    let last: OrderBody | undefined;
    await expect
      .poll(
        async () => {
          last = (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
          return last.status;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(status);
    return last!;
  };

  it('fills a Binance market buy, records the fill with its fee, and shows the timeline', async () => {
    const res = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' })
      .expect(201);
    const order = res.body as OrderBody;
    expect(order.status).toBe('FILLED');
    expect(order.filled).toBe('0.01');
    expect(order.average).toBe('50000');
    expect(order.clientOrderId).toMatch(/^td-[0-9a-f]{32}$/);
    expect(order.timeline.map((t) => t.event)).toEqual(['placed', 'submitted', 'fill', 'filled']);
    const trades = await s.api().get('/api/trades').query({ orderId: order.id }).expect(200);
    expect(trades.body.items).toHaveLength(1);
    expect(trades.body.items[0]).toMatchObject({ price: '50000', amount: '0.01', fee: '0.00001', feeCurrency: 'BTC' });
    const atExchange = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${order.clientOrderId}`);
    expect(atExchange.orders).toHaveLength(1);
  });

  it('pages an order’s timeline (limit at most 500, offset) and a position’s', async () => {
    const order = (
      await s
        .api()
        .post('/api/orders')
        .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.001' })
        .expect(201)
    ).body as OrderBody;
    const page = await s.api().get(`/api/orders/${order.id}/timeline`).query({ limit: 2, offset: 1 }).expect(200);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((t: { event: string }) => t.event)).toEqual(['submitted', 'fill']);
    const all = await s.api().get(`/api/orders/${order.id}/timeline`).expect(200);
    expect(all.body.items.map((t: { event: string }) => t.event)).toEqual(order.timeline.map((t) => t.event));
    await s.api().get(`/api/orders/${order.id}/timeline`).query({ limit: 501 }).expect(400);
    await s.api().get('/api/orders/00000000-0000-4000-8000-000000000000/timeline').expect(404);

    const timeline = (offset: number, limit: number) =>
      s.api().get('/api/positions/timeline').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', limit, offset }).expect(200);
    const first = (await timeline(0, 500)).body as Array<{ event: string }>;
    expect(first.length).toBeGreaterThan(0);
    expect((await timeline(first.length, 500)).body).toEqual([]);
    expect((await timeline(0, 1)).body).toEqual(first.slice(0, 1));
    await s.api().get('/api/positions/timeline').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', limit: 501 }).expect(400);
  });

  it('fills an Upbit market buy sized by KRW cost', async () => {
    const res = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '700000' })
      .expect(201);
    const order = await waitForStatus(res.body.id, 'FILLED');
    expect(order.filled).toBe('0.01');
    expect(order.fee).toBe('350');
    expect(order.feeCurrency).toBe('KRW');
  });

  it('rests a limit order, follows a partial fill then the fill', async () => {
    const res = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.02', price: '45000' })
      .expect(201);
    expect(res.body.status).toBe('OPEN');
    await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: res.body.clientOrderId, amount: '0.005' });
    const partial = await waitForStatus(res.body.id, 'PARTIALLY_FILLED');
    expect(partial.filled).toBe('0.005');
    await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: res.body.clientOrderId });
    // On demand instead of at the next poll.
    const reconciled = await s.api().post('/api/orders/reconcile').expect(200);
    expect(typeof reconciled.body.checked).toBe('number');
    const filled = (await s.api().get(`/api/orders/${res.body.id}`).expect(200)).body as OrderBody;
    expect(filled.status).toBe('FILLED');
    expect(filled.filled).toBe('0.02');
    const trades = await s.api().get('/api/trades').query({ orderId: res.body.id }).expect(200);
    expect(trades.body.items.reduce((sum: number, t: { amount: string }) => sum + Number(t.amount) * 1000, 0)).toBe(20);
  });

  it('cancels a resting order on Upbit', async () => {
    const res = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'limit', amount: '0.001', price: '60000000' })
      .expect(201);
    expect(res.body.status).toBe('OPEN');
    const canceled = await s.api().delete(`/api/orders/${res.body.id}`).expect(200);
    expect(canceled.body.status).toBe('CANCELED');
    const again = await s.api().delete(`/api/orders/${res.body.id}`).expect(409);
    expect(again.body.code).toBe('ORDER.NOT_CANCELABLE');
  });

  it('refuses bad orders before any exchange call, naming the problem', async () => {
    const before = await s.control<{ orders: unknown[] }>('GET', '/orders');
    const belowMin = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '3120' })
      .expect(400);
    expect(belowMin.body.code).toBe('ORDER.BELOW_MIN_TOTAL');
    expect(belowMin.body.message).toMatch(/5,000 KRW/);
    const field = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 'lots', price: '1' })
      .expect(400);
    expect(field.body.message).toMatch(/amount/);
    const noPrice = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01' })
      .expect(400);
    expect(noPrice.body.code).toBe('ORDER.PRICE_REQUIRED');
    await s
      .api()
      .post('/api/orders')
      .send({ accountId: '00000000-0000-4000-8000-000000000000', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' })
      .expect(404);
    const unknownMarket = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'NOPE/USDT', side: 'buy', type: 'market', amount: '1' })
      .expect(404);
    expect(unknownMarket.body.code).toBe('MARKET.NOT_FOUND');
    const after = await s.control<{ orders: unknown[] }>('GET', '/orders');
    expect(after.orders).toHaveLength(before.orders.length);
    const tooMany = await s.api().get('/api/orders').query({ limit: 501 }).expect(400);
    expect(tooMany.body.message).toMatch(/limit/);
    const list = await s.api().get('/api/orders').query({ limit: 500 }).expect(200);
    expect(list.body.items.every((o: { status: string }) => o.status !== 'PENDING')).toBe(true);
  });

  it('answers 20 concurrent requests with one Idempotency-Key with one order, and a different body with 409', async () => {
    const body = { accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.001', price: '40000' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => s.api().post('/api/orders').set('Idempotency-Key', `key-${driver}`).send(body)),
    );
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
    const clientOrderId = responses[0].body.clientOrderId as string;
    expect((await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${clientOrderId}`)).orders).toHaveLength(
      1,
    );
    const conflict = await s
      .api()
      .post('/api/orders')
      .set('Idempotency-Key', `key-${driver}`)
      .send({ ...body, price: '40001' })
      .expect(409);
    expect(conflict.body.code).toBe('ORDER.IDEMPOTENCY_KEY_REUSED');
  });
});
