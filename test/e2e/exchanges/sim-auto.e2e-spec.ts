import { freePort, TEST_DRIVERS, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

interface AccountBody {
  id: string;
  exchange: string;
  mode: string;
}

/**
 * `SIM=auto` as a new user meets it: `npm start`, a paper account added, the same command again.
 * The emulator stays on until a `live` or `testnet` account exists, and paper accounts read its
 * public data while PAPER_MARKET_DATA_URL is unset (the test machine cannot reach the real
 * exchanges, so a paper account that looked there could not even be created). With
 * PAPER_MARKET_DATA_URL naming the in-process emulator, the restart is the repro as filed.
 */
const CASES = TEST_DRIVERS.flatMap((driver) => [
  { driver, paperMarketData: 'unset' as const },
  { driver, paperMarketData: 'the emulator' as const },
]);

describe.each(CASES)('SIM=auto with a paper account on $driver, PAPER_MARKET_DATA_URL $paperMarketData', ({ driver, paperMarketData }) => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp;
  let databaseUrl: string | undefined;
  let simPort: number;
  let paperId: string;

  const boot = async () => {
    app = await bootTestApp({
      database: driver,
      dataDir: data.path,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: {
        SIM: 'auto',
        SIM_PORT: String(simPort),
        ...(paperMarketData === 'the emulator' ? { PAPER_MARKET_DATA_URL: `http://127.0.0.1:${simPort}` } : {}),
      },
    });
    databaseUrl = app.databaseUrl;
  };
  const restart = async () => {
    await app.close();
    await boot();
  };
  const api = () => request.agent(app.url).set('Authorization', app.auth);
  const simControl = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${simPort}/_sim${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  // The in-process emulator walks prices on its own; a manual feed keeps a set price still.
  const setEmulatorPrice = async (price: string) => {
    await simControl('/feed', { mode: 'manual' });
    await simControl('/price', { exchange: 'upbit', symbol: 'BTC/KRW', price });
  };
  const lastPrice = async (accountId: string) => {
    const res = await api().get('/api/tickers').query({ accountId, symbols: 'BTC/KRW' }).expect(200);
    return (res.body as { tickers: Array<{ last: string }> }).tickers[0].last;
  };
  const simAccounts = async () => ((await api().get('/api/accounts').expect(200)).body as AccountBody[]).filter((a) => a.mode === 'sim');

  beforeAll(async () => {
    data = await tempDir();
    simPort = await freePort();
    await boot();
  });
  afterAll(async () => {
    await app?.close();
    await data?.remove();
  });

  it('a paper account reads the emulator’s prices', async () => {
    await setEmulatorPrice('71000000');
    const created = await api().post('/api/accounts').send({ exchange: 'upbit', mode: 'paper', label: 'Upbit paper' });
    expect(created.status).toBe(201);
    paperId = (created.body as AccountBody).id;
    await expect.poll(() => lastPrice(paperId), { timeout: 5000, interval: 100 }).toBe('71000000');
  });

  it('a restart with the same command keeps the emulator on: sim accounts and /api/health answer', async () => {
    await restart();
    const sims = await simAccounts();
    expect(sims.map((a) => a.exchange).sort((a, b) => a.localeCompare(b))).toEqual(['binance', 'upbit']);
    for (const account of sims) {
      const balances = await api().get(`/api/accounts/${account.id}/balances`);
      expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    }
    const health = await api().get('/api/health');
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    const accounts = (health.body as { details: { exchanges: { accounts: Record<string, { mode: string; reachable: boolean }> } } }).details
      .exchanges.accounts;
    expect(Object.values(accounts).map((a) => [a.mode, a.reachable])).toEqual(
      expect.arrayContaining([
        ['sim', true],
        ['sim', true],
        ['paper', true],
      ]),
    );
    await setEmulatorPrice('72000000');
    await expect.poll(() => lastPrice(paperId), { timeout: 5000, interval: 100 }).toBe('72000000');
  });

  it('a testnet account turns the emulator off at the next start', async () => {
    // A testnet account cannot be verified offline: the seeded Binance sim row becomes one, its
    // keys still sealed under this MASTER_KEY so the start-up key check passes as for a real one.
    const binanceSim = (await simAccounts()).find((a) => a.exchange === 'binance')!;
    await app.app.get(DataSource).query(`UPDATE exchange_accounts SET mode = 'testnet' WHERE id = '${binanceSim.id}'`);
    await restart();
    const upbitSim = (await simAccounts()).find((a) => a.exchange === 'upbit')!;
    const balances = await api().get(`/api/accounts/${upbitSim.id}/balances`);
    expect(balances.status).toBe(503);
    expect(balances.body).toMatchObject({ code: 'EXCHANGE.UNAVAILABLE', message: expect.stringMatching(/emulator is not running/) });
    const emulator = await fetch(`http://127.0.0.1:${simPort}/_sim/health`).catch((error: unknown) => error);
    expect(emulator).toBeInstanceOf(Error);
  });
});
