import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, freshDatabaseUrl, SmtpCatcher, SMTP_TEST_PASSWORD, TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bearerApi, simProcessEnv } from '../../support/process-api.js';
import { DEEP_POCKETS, seededSimAccounts, type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from '../../support/sim-harness.js';

const TOKEN = 'notify-crash-token-0123456789';
const MARKETS = [
  { exchange: 'binance' as const, symbol: 'BTC/USDT', buy: { amount: '0.01' }, entry: '50000', trigger: '48000', crash: '47000' },
  { exchange: 'upbit' as const, symbol: 'BTC/KRW', buy: { cost: '700000' }, entry: '70000000', trigger: '68000000', crash: '67000000' },
];

interface Notification {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

describe.each(TEST_DRIVERS)('stop alerts survive a refusing SMTP server and a SIGKILL on %s', (driver) => {
  let sim: SimHarness;
  let smtp: SmtpCatcher;
  let dataDir: string;
  let databaseUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'td-notify-crash-'));
    sim = await startSimHarness({ accounts: seededSimAccounts(DEEP_POCKETS), book: ZERO_SPREAD_BOOK });
    for (const m of MARKETS) await sim.setPrice(m.exchange, m.symbol, m.entry);
    await sim.setPrice('upbit', 'USDT/KRW', '1400');
    smtp = await SmtpCatcher.start();
    databaseUrl = await freshDatabaseUrl(driver, dataDir, inject('postgresUrl'));
  });
  afterAll(async () => {
    await sim?.close();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () =>
    simProcessEnv({
      dataDir,
      databaseUrl,
      simUrl: sim.url,
      token: TOKEN,
      extra: {
        TICK_MS: '100',
        ORDER_POLL_MS: '200',
        SMTP_URL: smtp.url,
        NOTIFY_EMAIL_TO: 'trader@example.com',
        NOTIFY_RETRY_BASE_MS: '300',
      },
    });
  const call = bearerApi(TOKEN);

  it('each stop: exactly one email and one web notification, after three refusals and a restart in between', async () => {
    let app = AppProcess.spawn(env());
    let url = await app.started();
    try {
      const accounts = (await call<Array<{ id: string; exchange: string }>>(`${url}/api/accounts`)).body;
      const list = Array.isArray(accounts) ? accounts : (accounts as { items: typeof accounts }).items;
      const accountOf = (exchange: string) => list.find((a) => a.exchange === exchange)!.id;
      for (const m of MARKETS) {
        const order = await call<{ id: string }>(`${url}/api/orders`, 'POST', {
          accountId: accountOf(m.exchange),
          symbol: m.symbol,
          side: 'buy',
          type: 'market',
          ...m.buy,
        });
        expect(order.status).toBe(201);
        await expect
          .poll(async () => (await call<{ status: string }>(`${url}/api/orders/${order.body.id}`)).body.status, { timeout: 10_000 })
          .toBe('FILLED');
        const stop = await call(`${url}/api/conditions`, 'POST', {
          kind: 'stop_loss',
          accountId: accountOf(m.exchange),
          symbol: m.symbol,
          triggerPrice: m.trigger,
        });
        expect(stop.status).toBe(201);
      }
      smtp.refuse(3);
      for (const m of MARKETS) await sim.setPrice(m.exchange, m.symbol, m.crash);
      // Killed after two refusals: no email has been accepted yet, so nothing can go twice by the kill.
      await expect.poll(() => smtp.refused, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(2);
      expect(smtp.mails).toHaveLength(0);
      await app.stop('SIGKILL');
      app = AppProcess.spawn(env());
      url = await app.started();

      await smtp.waitFor((mails) => MARKETS.every((m) => mails.some((mail) => mail.subject.includes(m.symbol))), 60_000, 'both emails');
      // Every delivery settled: nothing more can come late.
      await expect
        .poll(
          async () =>
            (await call<{ items: Array<{ status: string }> }>(`${url}/api/notifications/deliveries`)).body.items
              .map((d) => d.status)
              .sort((a, b) => a.localeCompare(b)),
          {
            timeout: 20_000,
          },
        )
        .toEqual(['sent', 'sent']);
      expect(smtp.refused).toBe(3);
      for (const m of MARKETS)
        expect(
          smtp.mails.filter((mail) => mail.subject.includes(m.symbol)),
          m.symbol,
        ).toHaveLength(1);
      expect(smtp.mails).toHaveLength(2);
      const deliveries = (
        await call<{ items: Array<{ attempts: number; lastError: string | null }> }>(`${url}/api/notifications/deliveries`)
      ).body.items;
      // Tries counted: the two that succeeded and the refusals whose bookkeeping the kill did not cut short.
      const tries = deliveries.reduce((sum, d) => sum + d.attempts, 0);
      expect(tries).toBeGreaterThanOrEqual(3);
      expect(tries).toBeLessThanOrEqual(5);
      expect(JSON.stringify(deliveries)).not.toContain(SMTP_TEST_PASSWORD);

      const trades = (await call<{ items: Notification[] }>(`${url}/api/notifications?type=trade.completed`)).body.items;
      for (const m of MARKETS) {
        const mine = trades.filter((n) => n.data.symbol === m.symbol);
        expect(mine, m.symbol).toHaveLength(1);
        expect(mine[0].data).toMatchObject({ side: 'sell', status: 'FILLED' });
        for (const field of ['average', 'filled', 'fee', 'realizedPnl']) expect(typeof mine[0].data[field], field).toBe('string');
      }
      expect(app.stdout + app.stderr).not.toContain(SMTP_TEST_PASSWORD);
      const logs = readdirSync(join(dataDir, 'logs')).map((f) => readFileSync(join(dataDir, 'logs', f), 'utf8'));
      expect(logs.join('').length).toBeGreaterThan(0);
      for (const log of logs) expect(log).not.toContain(SMTP_TEST_PASSWORD);
    } finally {
      await app.stop('SIGTERM');
    }
  }, 180_000);
});
