import { freePort, SMTP_TEST_PASSWORD, TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface Delivery {
  notificationId: number;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

describe.each(TEST_DRIVERS)('deliveries that cannot go, and the daily summary, on %s', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver, {
      SMTP_URL: `smtp://alerts:${SMTP_TEST_PASSWORD}@127.0.0.1:${await freePort()}`,
      NOTIFY_EMAIL_TO: 'trader@example.com',
      NOTIFY_DELIVERY_ATTEMPTS: '2',
      NOTIFY_RETRY_BASE_MS: '50',
      // Past already: the summary of yesterday is due at start.
      NOTIFY_DAILY_SUMMARY: '00:00',
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an email that cannot go is dead after NOTIFY_DELIVERY_ATTEMPTS tries, with its reason and no password', async () => {
    await s
      .api()
      .put('/api/notifications/rules')
      .send({ rules: [{ type: 'order.filled', channels: { email: 'on' } }] })
      .expect(200);
    const orderId = await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.001' });
    const notification = await (async () => {
      let found: { id: number } | undefined;
      await expect
        .poll(async () => {
          const items = (
            (await s.api().get('/api/notifications?type=order.filled').expect(200)).body as {
              items: Array<{ id: number; data: { orderId: string } }>;
            }
          ).items;
          found = items.find((n) => n.data.orderId === orderId);
          return found !== undefined;
        })
        .toBe(true);
      return found!;
    })();
    let deliveries: Delivery[] = [];
    await expect
      .poll(
        async () => {
          deliveries = (
            (await s.api().get(`/api/notifications/deliveries?notificationId=${notification.id}`).expect(200)).body as { items: Delivery[] }
          ).items;
          return deliveries.map((d) => d.status);
        },
        { timeout: 20_000, interval: 100 },
      )
      .toEqual(['dead']);
    expect(deliveries[0]).toMatchObject({ channel: 'email', recipient: 'trader@example.com', attempts: 2 });
    expect(deliveries[0].lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(JSON.stringify(deliveries)).not.toContain(SMTP_TEST_PASSWORD);
    const dead = ((await s.api().get('/api/notifications/deliveries?status=dead').expect(200)).body as { items: Delivery[] }).items;
    expect(dead.map((d) => d.notificationId)).toContain(notification.id);
  });

  it('the summary of the day before is recorded once, keyed by its day', async () => {
    const summaries = (
      (await s.api().get('/api/notifications?type=daily.summary').expect(200)).body as {
        items: Array<{ data: { day: string; fills: number } }>;
      }
    ).items;
    expect(summaries).toHaveLength(1);
    const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul' }).format(new Date(Date.now() - 24 * 3600_000));
    expect(summaries[0].data).toMatchObject({ day: yesterday, fills: 0 });
  });
});
