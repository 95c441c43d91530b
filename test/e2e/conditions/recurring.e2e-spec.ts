import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  firings: number;
  orderIds: string[];
  timeline: Array<{ event: string; status: string; details: Record<string, unknown> | null }>;
}

const BUY = { order: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.001' } };

describe.each(TEST_DRIVERS)('recurring time rules (time.every) against the emulator on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const condition = async (id: string) => (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
  const binanceOrdersAtEmulator = async () => (await s.control<{ orders: unknown[] }>('GET', '/orders?exchange=binance')).orders.length;
  const lastTickAt = async () => {
    const res = await s.api().get('/api/health');
    const at = (res.body as { details?: { conditions?: { lastTickAt?: string | null } } }).details?.conditions?.lastTickAt;
    return at ? Date.parse(at) : 0;
  };

  it('refuses a malformed cron rule or time zone with a 400 naming the path, and arms nothing', async () => {
    const before = (await s.api().get('/api/conditions').expect(200)).body.total as number;
    const cases: Array<[unknown, string]> = [
      [{ all: [{ time: { every: '61 * * * *' } }] }, 'when.all[0].time.every'],
      [{ any: [{ price: { op: '>=', value: '1' } }, { time: { every: '* * * *' } }] }, 'when.any[1].time.every'],
      [{ time: { every: '0 9 * * *', tz: 'Mars/Olympus' } }, 'when.time.tz'],
    ];
    for (const [when, field] of cases) {
      const res = await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'conditional', accountId: s.binanceAccountId, when, then: BUY })
        .expect(400);
      expect(res.body.message).toContain(field);
      expect(res.body.code).toBe('CONDITION.INVALID_WHEN');
    }
    expect((await s.api().get('/api/conditions').expect(200)).body.total).toBe(before);
  });

  it('an every-second rule buys once per occurrence, each order exactly once at the emulator, and cancel stops it', async () => {
    const before = await binanceOrdersAtEmulator();
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'conditional', accountId: s.binanceAccountId, when: { time: { every: '* * * * * *' } }, then: BUY })
        .expect(201)
    ).body as ConditionBody;
    expect(armed.status).toBe('ARMED');

    // Fires, its order fills, it re-arms for the next second — at least twice.
    await expect
      .poll(async () => (await condition(armed.id)).timeline.filter((t) => t.event === 'rearmed').length, {
        timeout: 20_000,
        interval: 100,
        message: 'two re-arms',
      })
      .toBeGreaterThanOrEqual(2);

    // Cancellable while ARMED or while its order works (FIRED); FIRING lasts a moment (409), so retry.
    await expect
      .poll(async () => (await s.api().delete(`/api/conditions/${armed.id}`)).status, { timeout: 10_000, interval: 50 })
      .toBe(200);
    const cancelled = await condition(armed.id);
    expect(cancelled.status).toBe('CANCELLED');

    // The scheduler ticks on for well over a second (more occurrences) and nothing more is placed.
    const stoppedAt = Date.now();
    await expect.poll(lastTickAt, { timeout: 10_000, interval: 100 }).toBeGreaterThan(stoppedAt + 1_500);
    const after = await condition(armed.id);
    expect(after.status).toBe('CANCELLED');
    expect(after.orderIds).toEqual(cancelled.orderIds);
    expect(after.firings).toBe(cancelled.firings);

    // One order per firing, each under its own idempotency key, each received once by the emulator.
    expect(after.orderIds.length).toBeGreaterThanOrEqual(2);
    expect(after.orderIds).toHaveLength(after.firings);
    expect(new Set(after.orderIds).size).toBe(after.orderIds.length);
    const keys = after.timeline.filter((t) => t.event === 'fired').map((t) => t.details?.idempotencyKey);
    expect(new Set(keys).size).toBe(after.firings);
    for (const orderId of after.orderIds) {
      const order = (await s.api().get(`/api/orders/${orderId}`).expect(200)).body as { clientOrderId: string; side: string };
      expect(order.side).toBe('buy');
      const atEmulator = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${order.clientOrderId}`);
      expect(atEmulator.orders).toHaveLength(1);
    }
    expect(await binanceOrdersAtEmulator()).toBe(before + after.orderIds.length);

    // The timeline: each firing is triggered → firing → fired, then re-armed (the last one may be cut short by the cancel).
    const events = after.timeline.map((t) => t.event);
    expect(events[0]).toBe('armed');
    expect(events.at(-1)).toBe('cancelled');
    expect(events.filter((e) => e === 'triggered')).toHaveLength(after.firings);
    const rearmed = after.timeline.filter((t) => t.event === 'rearmed');
    expect(rearmed.every((t) => t.status === 'ARMED' && typeof t.details?.nextOccurrence === 'string')).toBe(true);
  });
});
