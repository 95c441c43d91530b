import { join } from 'node:path';
import type { BackupManifest } from '@tradedesk/backup';
import { createPostgresDatabase, TEST_DRIVERS, TEST_MASTER_KEY } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { sqlClient } from '../../support/sql-client.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const ORDERS_PER_SECOND = 50;
const MAX_IN_FLIGHT = 20;

// Issue 18: a backup taken while 50 orders a second flow through the API restores to a
// consistent state — every order with the outbox row that sends it, every fill with its order.
describe.each(TEST_DRIVERS)('a backup under order flow (%s)', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver, { BACKUP_CRON: 'off', BACKUP_MIN_FREE_MB: '0' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('restores into a new database with no order missing its outbox row and no fill missing its order', { timeout: 150_000 }, async () => {
    const created: string[] = [];
    const failures: string[] = [];
    let flowing = true;
    const placeOne = async (i: number) => {
      // Market buys fill at once (fills and trades under way too), alternating the two exchanges.
      const order =
        i % 2 === 0
          ? { accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.0002' }
          : { accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '10000' };
      const res = await s
        .api()
        .post('/api/orders')
        .send({ ...order, side: 'buy', type: 'market' });
      if (res.status === 201) created.push((res.body as { id: string }).id);
      else failures.push(`${res.status} ${JSON.stringify(res.body)}`);
    };
    const inFlight = new Set<Promise<void>>();
    const flowStartedAt = Date.now();
    // Paced by the clock, not by answers, up to MAX_IN_FLIGHT requests open at once: the answer
    // to a market order waits for the exchange, and the emulator's rate limits hold it back.
    const flow = (async () => {
      let tick = 0;
      while (flowing) {
        if (inFlight.size < MAX_IN_FLIGHT) {
          const request = placeOne(tick).finally(() => inFlight.delete(request));
          inFlight.add(request);
        }
        tick++;
        const next = flowStartedAt + (tick * 1000) / ORDERS_PER_SECOND;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    })();

    let backup: BackupManifest | undefined;
    let ordersBeforeBackup = 0;
    try {
      await expect.poll(() => created.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(10);
      ordersBeforeBackup = created.length;
      const started = (await s.api().post('/api/backups').expect(202)).body as BackupManifest;
      await expect
        .poll(
          async () => {
            backup = (await s.api().get(`/api/backups/${started.id}`).expect(200)).body as BackupManifest;
            return backup.status;
          },
          { timeout: 60_000, interval: 100 },
        )
        .not.toBe('running');
      const ordersAtBackupEnd = created.length;
      // More flow after it, so the snapshot is surely in the middle of the flow.
      await expect.poll(() => created.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(ordersAtBackupEnd + 10);
    } finally {
      flowing = false;
      await flow;
      await Promise.all(inFlight);
    }
    const seconds = (Date.now() - flowStartedAt) / 1000;
    console.log(
      `[backup under load, ${driver}] ${created.length} orders placed in ${seconds.toFixed(1)} s: ${(created.length / seconds).toFixed(1)}/s (paced at ${ORDERS_PER_SECOND}/s, at most ${MAX_IN_FLIGHT} open); ` +
        `backup ${backup?.durationMs ?? '?'} ms, ${backup?.sizeBytes ?? '?'} bytes, verification ${backup?.verification?.durationMs ?? '?'} ms`,
    );

    expect(failures).toEqual([]);
    expect(backup!.failure).toBeNull();
    expect(backup!.status).toBe('verified');
    // The snapshot caught the flow mid-way: orders before it, and orders after it that it does not hold.
    expect(backup!.rowCounts.orders).toBeGreaterThanOrEqual(ordersBeforeBackup);
    expect(backup!.rowCounts.orders).toBeLessThan(created.length);

    const restoredUrl =
      driver === 'sqlite'
        ? `sqlite:${join(s.app.dataDir, 'restored.sqlite')}`
        : await createPostgresDatabase(inject('postgresUrl'), 'td_restored');
    const restore = await runCli('backup-restore', { DATA_DIR: s.app.dataDir, DATABASE_URL: restoredUrl, MASTER_KEY: TEST_MASTER_KEY }, [
      backup!.id,
      '--yes',
    ]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);

    const sql = await sqlClient(restoredUrl);
    try {
      const [orders] = await sql.query<{ n: number | string }>('SELECT count(*) AS n FROM orders');
      expect(Number(orders.n)).toBe(backup!.rowCounts.orders);
      const withoutOutbox = await sql.query(
        `SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.topic = 'orders.submit' AND m.payload LIKE '%' || o.id || '%')`,
      );
      expect(withoutOutbox).toEqual([]);
      const fillsWithoutOrder = await sql.query(`SELECT t.id FROM trades t LEFT JOIN orders o ON o.id = t."orderId" WHERE o.id IS NULL`);
      expect(fillsWithoutOrder).toEqual([]);
      const [trades] = await sql.query<{ n: number | string }>('SELECT count(*) AS n FROM trades');
      expect(Number(trades.n)).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
  });
});
