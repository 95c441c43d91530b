import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { type TestDriver, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { expect } from 'vitest';
import { bootTestApp, type TestApp } from './boot-test-app.js';
import { type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from './sim-harness.js';

export interface TradingStack extends Pick<SimHarness, 'sim' | 'control' | 'setPrice'> {
  /** The running app (another object after `restartApp`). */
  readonly app: TestApp;
  binanceAccountId: string;
  upbitAccountId: string;
  api(): request.Agent;
  /** A market buy through the API, once the exchange filled it: its order id. */
  buyAtMarket(order: { accountId: string; symbol: string; amount?: string; cost?: string }): Promise<string>;
  /** A condition (GET /api/conditions/:id) once it has reached `status`, polled until `timeoutMs`. */
  conditionInStatus<T extends { status: string }>(id: string, status: string, timeoutMs: number, intervalMs?: number): Promise<T>;
  /**
   * Stops tradedesk, runs `whileDown` (the emulator keeps going: prices move, orders fill), and
   * starts it again on the same data directory and database (or on `databaseUrl`, a database
   * `whileDown` moved the data to).
   */
  restartApp(whileDown?: () => Promise<void>, databaseUrl?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole thing as a user runs it in sim mode: an emulator with a manual feed and a zero-spread,
 * deep book (fills at the set price, so expectations can be computed by hand), and tradedesk
 * pointed at it with SIM_URL, which creates the seeded sim accounts.
 */
export async function startTradingStack(driver: TestDriver, env: Record<string, string> = {}): Promise<TradingStack> {
  const harness = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS, book: ZERO_SPREAD_BOOK });
  await harness.setPrice('binance', 'BTC/USDT', '50000');
  await harness.setPrice('upbit', 'BTC/KRW', '70000000');
  await harness.setPrice('upbit', 'USDT/KRW', '1400');
  const data = await tempDir();
  const boot = (databaseUrl?: string) =>
    bootTestApp({
      database: driver,
      dataDir: data.path,
      databaseUrl,
      env: { SIM: 'on', SIM_URL: harness.url, ORDER_POLL_MS: '200', ...env },
    });
  let app = await boot();
  const accounts = await request(app.url).get('/api/accounts').set('Authorization', app.auth).expect(200);
  const list = (Array.isArray(accounts.body) ? accounts.body : accounts.body.items) as Array<{
    id: string;
    exchange: string;
    mode: string;
  }>;
  const binance = list.find((a) => a.exchange === 'binance' && a.mode === 'sim');
  const upbit = list.find((a) => a.exchange === 'upbit' && a.mode === 'sim');
  if (!binance || !upbit) throw new Error(`sim accounts missing: ${JSON.stringify(accounts.body)}`);
  const api = () => request.agent(app.url).set('Authorization', app.auth);
  return {
    get app() {
      return app;
    },
    get sim() {
      return harness.sim;
    },
    binanceAccountId: binance.id,
    upbitAccountId: upbit.id,
    control: harness.control,
    setPrice: harness.setPrice,
    api,
    buyAtMarket: async (order) => {
      const id = (
        (
          await api()
            .post('/api/orders')
            .send({ ...order, side: 'buy', type: 'market' })
            .expect(201)
        ).body as { id: string }
      ).id;
      // Polled by hand, not with expect.poll: suites buy their positions in beforeAll too.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { status } = (await api().get(`/api/orders/${id}`).expect(200)).body as { status: string };
        if (status === 'FILLED') return id;
        if (Date.now() > deadline) throw new Error(`order ${id} is ${status}, not FILLED, after 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    conditionInStatus: async <T extends { status: string }>(id: string, status: string, timeoutMs: number, intervalMs = 100) => {
      let body: T | undefined;
      try {
        await expect
          .poll(
            async () => {
              body = (await api().get(`/api/conditions/${id}`).expect(200)).body as T;
              return body.status;
            },
            { timeout: timeoutMs, interval: intervalMs },
          )
          .toBe(status);
      } catch (error) {
        // Say where it ended up and why: a FAILED condition carries its reason.
        const reason = (body as { failureReason?: string | null } | undefined)?.failureReason;
        throw new Error(`condition ${id} is ${body?.status}${reason ? ` (${reason})` : ''}, not ${status}`, { cause: error });
      }
      return body!;
    },
    restartApp: async (whileDown, databaseUrl) => {
      await app.close();
      await whileDown?.();
      app = await boot(databaseUrl ?? app.databaseUrl);
    },
    close: async () => {
      await app.close();
      await harness.close();
      await data.remove();
    },
  };
}
