import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppProcess,
  DEEP_POCKETS,
  freshDatabaseUrl,
  seededRandom,
  seededSimAccounts,
  type SimHarness,
  startSimHarness,
  TEST_DRIVERS,
  TEST_MASTER_KEY,
  ZERO_SPREAD_BOOK,
} from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const STOPS = 60;
const KILLS = 6;
const TOKEN = 'crash-test-token-0123456789';

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  timeline: Array<{ event: string }>;
}

describe.each(TEST_DRIVERS)('conditions crash test on %s: SIGKILLed while stops are firing', (driver) => {
  let sim: SimHarness;
  let dataDir: string;
  let databaseUrl: string;

  const setPrice = (price: string) => sim.setPrice('binance', 'BTC/USDT', price);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'td-cond-crash-app-'));
    sim = await startSimHarness({ accounts: seededSimAccounts(DEEP_POCKETS), book: ZERO_SPREAD_BOOK });
    await setPrice('50000');
    databaseUrl = await freshDatabaseUrl(driver, dataDir, inject('postgresUrl'));
  });
  afterAll(async () => {
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    API_TOKEN: TOKEN,
    MASTER_KEY: TEST_MASTER_KEY,
    SIM: 'on',
    SIM_URL: sim.url,
    ORDER_POLL_MS: '200',
    TICK_MS: '100',
    LOG_LEVEL: 'info',
  });
  const call = async <T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  it(`${STOPS} crossed stops, ${KILLS} SIGKILLs at random moments during firing → each stop produced exactly one order at the emulator`, async () => {
    const random = seededRandom(driver === 'sqlite' ? 3 : 5);
    let app = AppProcess.spawn(env());
    let url = await app.started();
    const accounts = (await call<Array<{ id: string; exchange: string }>>(`${url}/api/accounts`)).body;
    const accountId = (Array.isArray(accounts) ? accounts : (accounts as { items: typeof accounts }).items).find(
      (a) => a.exchange === 'binance',
    )!.id;
    expect(
      (await call(`${url}/api/orders`, 'POST', { accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '1' })).status,
    ).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < STOPS; i++) {
      const res = await call<ConditionBody>(`${url}/api/conditions`, 'POST', {
        kind: 'stop_loss',
        accountId,
        symbol: 'BTC/USDT',
        triggerPrice: String(45000 + i * 10),
        amount: '0.001',
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await setPrice('40000');
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
      await app.stop('SIGKILL');
      app = AppProcess.spawn(env());
      url = await app.started();
    }
    try {
      await expect
        .poll(
          async () => {
            const statuses = await Promise.all(
              ids.map(async (id) => (await call<ConditionBody>(`${url}/api/conditions/${id}`)).body.status),
            );
            return statuses.filter((s) => s === 'DONE').length;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(STOPS);
      const clientIds = new Set<string>();
      for (const id of ids) {
        const c = (await call<ConditionBody>(`${url}/api/conditions/${id}`)).body;
        expect(c.orderIds).toHaveLength(1);
        const order = (await call<{ clientOrderId: string }>(`${url}/api/orders/${c.orderIds[0]}`)).body;
        clientIds.add(order.clientOrderId);
      }
      expect(clientIds.size).toBe(STOPS);
      const atExchange = (await (await fetch(`${sim.url}/_sim/orders?exchange=binance`)).json()) as {
        orders: Array<{ clientOrderId: string; side: string }>;
      };
      const sells = atExchange.orders.filter((o) => o.side.toLowerCase() === 'sell');
      expect(sells).toHaveLength(STOPS);
      expect(new Set(sells.map((o) => o.clientOrderId))).toEqual(clientIds);
    } finally {
      await app.stop('SIGTERM');
    }
  }, 180_000);
});
