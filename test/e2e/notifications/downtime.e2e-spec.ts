import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { SmtpCatcher, TEST_DRIVERS, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from '../../support/sim-harness.js';

interface Notification {
  type: string;
  data: Record<string, unknown>;
}

describe.each(TEST_DRIVERS)('a stop crossed while tradedesk was down, on %s', (driver) => {
  let sim: SimHarness;
  let smtp: SmtpCatcher;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp | undefined;

  beforeAll(async () => {
    sim = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS, book: ZERO_SPREAD_BOOK });
    await sim.setPrice('binance', 'BTC/USDT', '50000');
    smtp = await SmtpCatcher.start();
    data = await tempDir();
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await smtp?.close();
    await data?.remove();
  });

  it('onDowntime notify: MISSED and told (web and email); skip: MISSED and not told', async () => {
    const boot = (databaseUrl?: string) =>
      bootTestApp({
        database: driver,
        dataDir: data.path,
        ...(databaseUrl ? { databaseUrl } : {}),
        env: { SIM: 'on', SIM_URL: sim.url, TICK_MS: '100', SMTP_URL: smtp.url, NOTIFY_EMAIL_TO: 'trader@example.com' },
      });
    app = await boot();
    const api = () => request.agent(app!.url).set('Authorization', app!.auth);
    const accounts = (await api().get('/api/accounts').expect(200)).body as Array<{ id: string; exchange: string }>;
    const accountId = (Array.isArray(accounts) ? accounts : (accounts as unknown as { items: typeof accounts }).items).find(
      (a) => a.exchange === 'binance',
    )!.id;
    await api().post('/api/orders').send({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).expect(201);
    await expect
      .poll(
        async () =>
          ((await api().get('/api/positions').query({ accountId }).expect(200)).body as { positions: unknown[] }).positions.length,
      )
      .toBe(1);
    const arm = async (onDowntime: string, triggerPrice: string) =>
      (
        (
          await api()
            .post('/api/conditions')
            .send({ kind: 'stop_loss', accountId, symbol: 'BTC/USDT', amount: '0.001', triggerPrice, onDowntime })
            .expect(201)
        ).body as { id: string }
      ).id;
    const notify = await arm('notify', '46000');
    const skip = await arm('skip', '47000');
    const databaseUrl = app.databaseUrl;
    await app.close();
    app = undefined;

    await sim.setPrice('binance', 'BTC/USDT', '44000');
    app = await boot(databaseUrl);
    for (const id of [notify, skip])
      await expect
        .poll(async () => ((await api().get(`/api/conditions/${id}`).expect(200)).body as { status: string }).status, { timeout: 15_000 })
        .toBe('MISSED');
    await smtp.waitFor((mails) => mails.some((m) => /missed/i.test(m.subject)), 10_000, 'the missed-stop email');
    const missed = ((await api().get('/api/notifications?type=condition.missed').expect(200)).body as { items: Notification[] }).items;
    expect(missed).toHaveLength(1);
    expect(missed[0].data).toMatchObject({ conditionId: notify, kind: 'stop_loss', symbol: 'BTC/USDT', policy: 'notify' });
    expect(smtp.mails.filter((m) => /missed/i.test(m.subject))).toHaveLength(1);
  });
});
