import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  highWaterMark: string | null;
  currentTrigger: string | null;
  stopLoss: { status: string } | null;
  takeProfit: { status: string } | null;
  timeline: Array<{ event: string; status: string; price: string | null; trigger: string | null }>;
}

describe.each(TEST_DRIVERS)('conditions against the emulator on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
    // A Binance position for the exits below (the seeded 0.1 BTC were held before tradedesk: no position).
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.05' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const waitFor = async (id: string, status: string): Promise<ConditionBody> => {
    let last: ConditionBody | undefined;
    await expect
      .poll(
        async () => {
          last = (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
          return last.status;
        },
        { timeout: 15_000, interval: 50, message: `condition ${id}` },
      )
      .toBe(status);
    return last!;
  };

  /**
   * Waits until `count` scheduler ticks have ended after this call: the second one started after
   * the call, so at least one full tick has read the prices set before it (no fixed sleep).
   */
  const ticksPass = async (count = 2) => {
    let since = Date.now();
    for (let i = 0; i < count; i++) {
      let seen = 0;
      await expect
        .poll(
          async () => {
            const body = (await s.api().get('/api/health')).body as { details?: Record<string, { lastTickAt?: string | null }> };
            seen = Date.parse(body.details?.conditions?.lastTickAt ?? '') || 0;
            return seen;
          },
          { timeout: 10_000, interval: 25 },
        )
        .toBeGreaterThan(since);
      since = seen;
    }
  };

  const ordersAtEmulator = async (exchange: string, orderId: string) => {
    const order = (await s.api().get(`/api/orders/${orderId}`).expect(200)).body as { clientOrderId: string; side: string; status: string };
    const at = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=${exchange}&clientOrderId=${order.clientOrderId}`);
    return { order, count: at.orders.length };
  };

  it('refuses bad input with a 400 naming the field, and arms nothing', async () => {
    const before = (await s.api().get('/api/conditions').expect(200)).body.total as number;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '51000' }, 'triggerPrice'],
      [{ kind: 'take_profit', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '49000' }, 'triggerPrice'],
      [{ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '48000', amount: '1000' }, 'amount'],
      [
        {
          kind: 'bracket',
          accountId: s.binanceAccountId,
          symbol: 'BTC/USDT',
          stopLoss: { triggerPrice: '56000' },
          takeProfit: { triggerPrice: '55000' },
          allowImmediate: true,
        },
        'stopLoss.triggerPrice',
      ],
      [
        { kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '48000', expiresAt: '2020-01-01T00:00:00Z' },
        'expiresAt',
      ],
      [
        {
          kind: 'conditional',
          accountId: s.upbitAccountId,
          when: { all: [{ time: { after: 'PT5M' } }, { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '=<', value: '50000' } }] },
          then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' } },
        },
        'when.all[1].price.op',
      ],
      [
        {
          kind: 'conditional',
          accountId: s.upbitAccountId,
          when: { time: { at: '2020-01-01T00:00:00Z' } },
          then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' } },
        },
        'when.time.at',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await s.api().post('/api/conditions').send(body).expect(400);
      expect(res.body.message).toContain(field);
    }
    await s
      .api()
      .post('/api/conditions')
      .send({ kind: 'stop_loss', accountId: '00000000-0000-4000-8000-000000000000', symbol: 'BTC/USDT', triggerPrice: '1' })
      .expect(404);
    await s
      .api()
      .post('/api/conditions')
      .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'NOPE/USDT', triggerPrice: '1' })
      .expect(404);
    expect((await s.api().get('/api/conditions').expect(200)).body.total).toBe(before);
  });

  it('a stop-loss on Upbit fires once when the price drops through it: one market sell at the emulator', async () => {
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
    await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '1400000' })
      .expect(201);
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.upbitAccountId, symbol: 'BTC/KRW', triggerPrice: '68000000', amount: '0.01' })
        .expect(201)
    ).body as ConditionBody;
    expect(armed.status).toBe('ARMED');
    await s.setPrice('upbit', 'BTC/KRW', '67000000');
    const done = await waitFor(armed.id, 'DONE');
    expect(done.orderIds).toHaveLength(1);
    expect(done.timeline.map((t) => t.event)).toEqual(['armed', 'triggered', 'firing', 'fired', 'done']);
    const triggered = done.timeline.find((t) => t.event === 'triggered')!;
    expect([triggered.price, triggered.trigger]).toEqual(['67000000', '68000000']);
    const { order, count } = await ordersAtEmulator('upbit', done.orderIds[0]);
    expect(order.side).toBe('sell');
    expect(count).toBe(1);
    // Further ticks below the trigger never fire it again.
    await s.setPrice('upbit', 'BTC/KRW', '60000000');
    await ticksPass(3);
    expect(((await s.api().get(`/api/conditions/${armed.id}`).expect(200)).body as ConditionBody).orderIds).toHaveLength(1);
  });

  it('a trailing stop follows 100 → 120 → 111 → 107.9 (scaled) and fires at 107.9 with trigger 108', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'trailing_stop', accountId: s.binanceAccountId, symbol: 'BTC/USDT', trailPercent: '10', amount: '0.001' })
        .expect(201)
    ).body as ConditionBody;
    const path = ['50000', '60000', '55500'];
    for (const price of path) {
      await s.setPrice('binance', 'BTC/USDT', price);
      await expect
        .poll(async () => ((await s.api().get(`/api/conditions/${armed.id}`).expect(200)).body as ConditionBody).highWaterMark, {
          timeout: 10_000,
          interval: 50,
        })
        .toBe(price === '55500' ? '60000' : price);
    }
    await s.setPrice('binance', 'BTC/USDT', '53950');
    const done = await waitFor(armed.id, 'DONE');
    const triggered = done.timeline.find((t) => t.event === 'triggered')!;
    expect([triggered.price, triggered.trigger]).toEqual(['53950', '54000']);
    expect((await ordersAtEmulator('binance', done.orderIds[0])).count).toBe(1);
  });

  it("a bracket's take-profit fills and the stop leg is cancelled; the position shows as protected while armed", async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'bracket',
          accountId: s.binanceAccountId,
          symbol: 'BTC/USDT',
          amount: '0.002',
          stopLoss: { triggerPrice: '48000' },
          takeProfit: { triggerPrice: '55000' },
        })
        .expect(201)
    ).body as ConditionBody;
    await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' })
      .expect(201);
    const positions = (await s.api().get('/api/positions').query({ accountId: s.binanceAccountId }).expect(200)).body as {
      positions: Array<{ symbol: string; protection: string }>;
    };
    expect(positions.positions.find((p) => p.symbol === 'BTC/USDT')?.protection).toBe('emulated');
    const health = (await s.api().get('/api/health').expect(200)).body as { info?: Record<string, { status: string; armed?: number }> };
    expect(health.info?.conditions).toMatchObject({ status: 'up' });
    await s.setPrice('binance', 'BTC/USDT', '56000');
    const done = await waitFor(armed.id, 'DONE');
    expect(done.takeProfit?.status).toBe('DONE');
    expect(done.stopLoss?.status).toBe('CANCELLED');
    expect(done.timeline.map((t) => t.event)).toContain('leg-cancelled');
    await s.setPrice('binance', 'BTC/USDT', '40000');
    await ticksPass(3);
    expect(((await s.api().get(`/api/conditions/${armed.id}`).expect(200)).body as ConditionBody).orderIds).toHaveLength(1);
  });

  it('pause holds a stop, resume re-arms it, PATCH moves it and DELETE cancels it', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '45000', amount: '0.001' })
        .expect(201)
    ).body as ConditionBody;
    await s.api().post(`/api/conditions/${armed.id}/pause`).expect(200);
    const moved = (await s.api().patch(`/api/conditions/${armed.id}`).send({ triggerPrice: '46000' }).expect(200)).body as ConditionBody & {
      triggerPrice: string;
    };
    expect(moved.triggerPrice).toBe('46000');
    await s.api().patch(`/api/conditions/${armed.id}`).send({ triggerPrice: '100000000' }).expect(400);
    await s.api().post(`/api/conditions/${armed.id}/resume`).expect(200);
    const cancelled = (await s.api().delete(`/api/conditions/${armed.id}`).expect(200)).body as ConditionBody;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.timeline.map((t) => t.event)).toEqual(['armed', 'paused', 'adjusted', 'resumed', 'cancelled']);
    await s.api().post(`/api/conditions/${armed.id}/pause`).expect(409);
  });

  it('a time-conditional buy fires at its time', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'conditional',
          accountId: s.upbitAccountId,
          when: { time: { at } },
          then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' } },
        })
        .expect(201)
    ).body as ConditionBody;
    const done = await waitFor(armed.id, 'DONE');
    const fired = done.timeline.find((t) => t.event === 'triggered')!;
    expect(fired).toBeDefined();
    expect((await ordersAtEmulator('upbit', done.orderIds[0])).count).toBe(1);
  });
  it('a cross-exchange conditional (Binance price and the Upbit premium) buys on Upbit when both hold', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    await s.setPrice('upbit', 'USDT/KRW', '1400');
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'conditional',
          accountId: s.upbitAccountId,
          when: {
            all: [
              { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '<=', value: '49000' } },
              { premium: { base: 'BTC', op: '<=', value: '1' } },
            ],
          },
          then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' } },
        })
        .expect(201)
    ).body as ConditionBody;
    // Binance drops, but the premium (70,000,000 / (48,000 × 1,400) − 1 = 4.17 %) is too high: nothing fires.
    await s.setPrice('binance', 'BTC/USDT', '48000');
    await ticksPass(3);
    expect(((await s.api().get(`/api/conditions/${armed.id}`).expect(200)).body as ConditionBody).status).toBe('ARMED');
    // Upbit follows: premium 67,000,000 / 67,200,000 − 1 < 0 → fires.
    await s.setPrice('upbit', 'BTC/KRW', '67000000');
    const done = await waitFor(armed.id, 'DONE');
    expect(done.orderIds).toHaveLength(1);
    expect((await ordersAtEmulator('upbit', done.orderIds[0])).count).toBe(1);
  });
  it('an armed stop expires at its expiresAt and never fires afterwards', async () => {
    const expiresAt = new Date(Date.now() + 1200).toISOString();
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '1000', amount: '0.001', expiresAt })
        .expect(201)
    ).body as ConditionBody;
    const expired = await waitFor(armed.id, 'EXPIRED');
    expect(expired.timeline.map((t) => t.event)).toEqual(['armed', 'expired']);
    expect(expired.orderIds).toEqual([]);
  });
});
