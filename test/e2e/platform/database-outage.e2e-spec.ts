/* eslint-disable @typescript-eslint/no-explicit-any */
import Database from 'better-sqlite3';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { PostgresServer, waitFor } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness } from '../../support/sim-harness.js';

async function call(t: TestApp, method: string, path: string, body?: unknown, auth = true) {
  const res = await fetch(`${t.url}/api${path}`, {
    method,
    headers: { ...(auth ? { Authorization: t.auth } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

function expectUnavailable(res: Awaited<ReturnType<typeof call>>): void {
  expect(res.status, res.text).toBe(503);
  expect(res.body).toMatchObject({
    statusCode: 503,
    error: 'Service Unavailable',
    code: 'DATABASE.UNAVAILABLE',
    requestId: expect.any(String),
  });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

describe('PostgreSQL down', () => {
  let server: PostgresServer;
  let harness: SimHarness;
  let t: TestApp;
  let accountId: string;
  beforeAll(async () => {
    server = await PostgresServer.create();
    harness = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS });
    await harness.setPrice('binance', 'BTC/USDT', '50000');
    t = await bootTestApp({
      database: 'postgres',
      databaseUrl: await server.createDatabase('outage'),
      env: { SIM: 'on', SIM_URL: harness.url },
    });
    accountId = (await call(t, 'GET', '/accounts')).body.find((a: any) => a.exchange === 'binance').id;
    await waitFor(async () => (await call(t, 'GET', '/health/ready', undefined, false)).status === 200, 'readiness', 20_000, 100);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await harness?.close();
    await server?.destroy();
  });

  it('answers 503 DATABASE.UNAVAILABLE with Retry-After, keeps internals out of public health, and recovers', async () => {
    await server.stop();
    try {
      expectUnavailable(await call(t, 'GET', '/positions'));
      expectUnavailable(await call(t, 'POST', '/orders', { accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: '100' }));
      expectUnavailable(await call(t, 'PATCH', `/accounts/${accountId}`, { label: 'renamed while down' }));

      const ready = await call(t, 'GET', '/health/ready', undefined, false);
      expect(ready.status).toBe(503);
      expect(ready.body.details.database).toEqual({ status: 'down' });
      expect(ready.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b|postgres:\/\//);
      const full = await call(t, 'GET', '/health');
      expect(full.status, full.text).toBe(503);
      expect(JSON.stringify(full.body.details.database)).toMatch(/message|ECONNREFUSED|timeout|terminat/i);
    } finally {
      await server.start();
    }
    await waitFor(async () => (await call(t, 'GET', '/positions')).status === 200, 'positions after PostgreSQL returned', 20_000, 100);
    expect((await call(t, 'GET', '/health/ready', undefined, false)).status).toBe(200);
  });
});

describe('SQLite locked by another program', () => {
  let harness: SimHarness;
  let t: TestApp;
  let accountId: string;
  beforeAll(async () => {
    harness = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS });
    await harness.setPrice('binance', 'BTC/USDT', '50000');
    t = await bootTestApp({ database: 'sqlite', env: { SIM: 'on', SIM_URL: harness.url } });
    accountId = (await call(t, 'GET', '/accounts')).body.find((a: any) => a.exchange === 'binance').id;
  });
  afterAll(async () => {
    await t?.close();
    await harness?.close();
  });

  it('answers a write that cannot get the database 503 DATABASE.UNAVAILABLE with Retry-After, and stores nothing', async () => {
    // A backup tool or a sqlite3 shell holding a write transaction: writers wait out the busy timeout.
    const intruder = new Database(t.databaseUrl.replace(/^sqlite:/, ''), { timeout: 0 });
    intruder.exec('BEGIN EXCLUSIVE');
    try {
      expectUnavailable(await call(t, 'PATCH', `/accounts/${accountId}`, { label: 'renamed while locked' }));
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
    }
    expect((await call(t, 'GET', `/accounts/${accountId}`)).body.label).not.toBe('renamed while locked');
    expect((await call(t, 'PATCH', `/accounts/${accountId}`, { label: 'renamed after' })).status).toBe(200);
  });
});
