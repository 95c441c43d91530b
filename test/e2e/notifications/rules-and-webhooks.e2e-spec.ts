import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const SECRET = 'webhook-secret-0123456789abcdef';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that records every POST and answers 204. */
async function receiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(TEST_DRIVERS)('notification rules and webhooks on %s', (driver) => {
  let s: TradingStack;
  let hook: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    hook = await receiver();
    s = await startTradingStack(driver, {
      NOTIFY_WEBHOOK_URL: `${hook.url}/slack/T000/B000/secret-path`,
      NOTIFY_WEBHOOK_PRESET: 'slack',
      NOTIFY_WEBHOOK_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await s?.close();
    await hook?.close();
  });

  const rules = async () =>
    ((await s.api().get('/api/notifications/rules').expect(200)).body as { rules: Array<Record<string, unknown>> }).rules;

  it.each([
    [{ rules: [{ type: 'order.exploded', channels: { web: 'on' } }] }, 'rules[0].type'],
    [{ rules: [{ type: 'order.filled', webhookUrl: 'ftp://example.com/hook' }] }, 'rules[0].webhookUrl'],
    [{ rules: [{ type: 'order.filled', recipients: ['ok@example.com', 'not an address'] }] }, 'rules[0].recipients[1]'],
    [
      {
        rules: [
          { type: 'order.filled', channels: { web: 'off' } },
          { type: 'condition.failed', channels: { email: 'off' } },
        ],
      },
      'rules[1].channels.email',
    ],
    [{ rules: [{ type: 'order.filled', threshold: 0 }] }, 'rules[0].threshold'],
    [{ rules: [{ type: 'order.filled', colour: 'red' }] }, 'rules[0].colour'],
  ])('bad input %j → 400 naming %s, nothing stored', async (body, field) => {
    const before = await rules();
    const res = await s.api().put('/api/notifications/rules').send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'NOTIFICATION.INVALID_RULE', details: { field } });
    expect(res.body.message).toContain(field);
    expect(await rules()).toEqual(before);
  });

  it('a rule sends a type to its own webhook (JSON preset), others go to NOTIFY_WEBHOOK_URL (Slack preset) signed with HMAC', async () => {
    await s
      .api()
      .put('/api/notifications/rules')
      .send({ rules: [{ type: 'order.filled', channels: { webhook: 'on' }, webhookUrl: `${hook.url}/json-hook?token=abc` }] })
      .expect(200);
    const shown = (await rules()).find((r) => r.type === 'order.filled')!;
    // The URL's path and query may be secrets: answers keep its origin only.
    expect(shown.webhookUrl).toBe(`${hook.url}/…`);
    const orderId = await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.001' });
    await expect.poll(() => hook.received.filter((r) => r.path.startsWith('/json-hook')).length, { timeout: 10_000 }).toBe(1);
    const json = hook.received.find((r) => r.path.startsWith('/json-hook'))!;
    const payload = JSON.parse(json.body) as { type: string; data: { orderId: string }; title: string };
    expect(payload).toMatchObject({ type: 'order.filled', data: { orderId } });
    expect(json.headers['x-tradedesk-event']).toBe('order.filled');

    // A critical alert goes to the default webhook in Slack's shape, signed.
    await s.control('POST', '/faults', { exchange: 'upbit', status: 503 });
    await s
      .api()
      .put('/api/notifications/rules')
      .send({ rules: [{ type: 'exchange.unavailable', threshold: 1 }] })
      .expect(200);
    await s.api().get('/api/tickers').query({ accountId: s.upbitAccountId, symbols: 'BTC/KRW' });
    await s.control('DELETE', '/faults');
    await expect.poll(() => hook.received.filter((r) => r.path.startsWith('/slack')).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const slack = hook.received.find((r) => r.path.startsWith('/slack'))!;
    expect(JSON.parse(slack.body)).toEqual({ text: expect.stringMatching(/^\*Exchange unavailable: upbit \(sim\)\*/) });
    const expected = createHmac('sha256', SECRET)
      .update(`${String(slack.headers['x-tradedesk-timestamp'])}.${slack.body}`)
      .digest('hex');
    expect(slack.headers['x-tradedesk-signature']).toBe(`sha256=${expected}`);

    const deliveries = (await s.api().get('/api/notifications/deliveries').expect(200)).body as {
      items: Array<{ recipient: string; status: string }>;
    };
    const text = JSON.stringify(deliveries);
    expect(text).not.toContain('secret-path');
    expect(text).not.toContain('token=abc');
    expect(text).not.toContain(SECRET);
    expect(deliveries.items.map((d) => d.recipient)).toEqual(expect.arrayContaining([`slack ${hook.url}`, `json ${hook.url}`]));
  });

  it('read and read-all', async () => {
    const list = async (q = '') =>
      (await s.api().get(`/api/notifications${q}`).expect(200)).body as {
        items: Array<{ id: number; readAt: string | null }>;
        unread: number;
      };
    const unread = await list('?unread=true');
    expect(unread.unread).toBeGreaterThan(0);
    const one = unread.items[0];
    const read = await s.api().post(`/api/notifications/${one.id}/read`).expect(200);
    expect(read.body.readAt).not.toBeNull();
    expect((await list()).unread).toBe(unread.unread - 1);
    await s.api().post('/api/notifications/999999/read').expect(404);
    const all = await s.api().post('/api/notifications/read-all').expect(200);
    expect(all.body.marked).toBe(unread.unread - 1);
    expect((await list('?unread=true')).items).toHaveLength(0);
  });

  it('a stop that reaches its expiresAt is told once, as condition.expired', async () => {
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.01' });
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const stop = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '1000', amount: '0.001', expiresAt })
        .expect(201)
    ).body as { id: string };
    await s.conditionInStatus(stop.id, 'EXPIRED', 15_000);
    const told = async () =>
      (
        (await s.api().get('/api/notifications').expect(200)).body as { items: Array<{ type: string; data: { conditionId?: string } }> }
      ).items.filter((n) => n.type === 'condition.expired' && n.data.conditionId === stop.id);
    await expect.poll(async () => (await told()).length, { timeout: 10_000 }).toBe(1);
  });
});
