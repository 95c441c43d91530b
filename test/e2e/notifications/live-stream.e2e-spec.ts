import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../../support/sse-client.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface OrderView {
  timeline: Array<{ at: string; event: string }>;
}

describe.each(TEST_DRIVERS)('live notifications (SSE) on %s', (driver) => {
  let s: TradingStack;
  const stream = (headers: Record<string, string> = {}) =>
    openSse(`${s.app.url}/api/notifications/stream`, { Authorization: s.app.auth, ...headers });
  const buy = () => s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.001' });

  beforeAll(async () => {
    s = await startTradingStack(driver, { NOTIFY_STREAM_HEARTBEAT_MS: '300' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('needs the API token', async () => {
    const anonymous = await openSse(`${s.app.url}/api/notifications/stream`, {});
    expect(anonymous.status).toBe(401);
    const wrong = await openSse(`${s.app.url}/api/notifications/stream`, { Authorization: 'Bearer wrong-token-0123456789' });
    expect(wrong.status).toBe(401);
  });

  it('a fill is on the stream within 1 s of being recorded, and heartbeats keep coming', async () => {
    const live = await stream();
    try {
      expect(live.status).toBe(200);
      const orderId = await buy();
      await live.waitFor((l) => l.events.some((e) => JSON.parse(e.data).data.orderId === orderId), 5000, 'the fill notification');
      const event = live.events.find((e) => JSON.parse(e.data).data.orderId === orderId)!;
      const order = (await s.api().get(`/api/orders/${orderId}`).expect(200)).body as OrderView;
      const recordedAt = Date.parse(order.timeline.find((l) => l.event === 'filled')!.at);
      expect(event.event).toBe('notification');
      expect(JSON.parse(event.data)).toMatchObject({ id: Number(event.id), type: 'order.filled', readAt: null });
      expect(event.receivedAt - recordedAt).toBeLessThan(1000);
      await live.waitFor((l) => l.comments.some((c) => c.startsWith('heartbeat')), 3000, 'a heartbeat');
    } finally {
      live.close();
    }
  });

  it('reconnecting with Last-Event-ID after missing three notifications receives exactly those three', async () => {
    const first = await stream();
    const before = await buy();
    await first.waitFor((l) => l.events.some((e) => JSON.parse(e.data).data.orderId === before), 5000, 'the first fill');
    const lastSeen = first.events.at(-1)!.id!;
    first.close();
    await first.ended;

    const missed = [await buy(), await buy(), await buy()];
    // All three recorded before the reconnect.
    await expect
      .poll(async () =>
        (
          (await s.api().get('/api/notifications?type=order.filled&limit=10').expect(200)).body as {
            items: Array<{ data: { orderId: string } }>;
          }
        ).items.map((n) => n.data.orderId),
      )
      .toEqual(expect.arrayContaining(missed));

    const resumed = await stream({ 'Last-Event-ID': lastSeen });
    try {
      // Two heartbeats after the replay: nothing else was on its way.
      await resumed.waitFor(
        (l) => l.events.length >= 3 && l.comments.filter((c) => c.startsWith('heartbeat')).length >= 2,
        5000,
        'the replay',
      );
      expect(resumed.events.map((e) => JSON.parse(e.data).data.orderId)).toEqual(missed);
      expect(resumed.events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
    } finally {
      resumed.close();
    }
  });

  it('refuses a Last-Event-ID that is not a notification id', async () => {
    const res = await fetch(`${s.app.url}/api/notifications/stream`, { headers: { Authorization: s.app.auth, 'Last-Event-ID': 'abc' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { details: { field: string } }).details.field).toBe('Last-Event-ID');
  });

  it('an open stream does not hold up the shutdown', async () => {
    const live = await stream();
    expect(live.status).toBe(200);
    const started = Date.now();
    await s.app.app.close();
    await live.ended;
    expect(Date.now() - started).toBeLessThan(5000);
    live.close();
  });
});
