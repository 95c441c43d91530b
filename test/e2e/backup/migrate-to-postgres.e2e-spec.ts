import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateSqliteToPostgres } from '@tradedesk/backup';
import { DatabaseConfig, dataSourceOptions, runMigrations, TradedeskDataSource } from '@tradedesk/shared';
import Database from 'better-sqlite3';
import { createPostgresDatabase, TEST_MASTER_KEY } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sqliteMigrations } from '../../../apps/api/src/persistence/migrations/sqlite/index.js';
import { persistenceSchema } from '../../../apps/api/src/persistence/schema.js';
import { runCli } from '../../support/cli.js';
import { sqlClient } from '../../support/sql-client.js';
import { type ConditionBody, scriptedSession, whatTheApiAnswers as answersOf } from '../../support/scripted-session.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// Issue 18, last "done when": a SQLite database from a scripted session moves to PostgreSQL with
// `npm run db:migrate-to-postgres`; tradedesk started on PostgreSQL answers the same, the armed stop
// fires once, new orders get fresh ids, and a second migration into the same database is refused.
describe('SQLite → PostgreSQL migration', () => {
  let s: TradingStack;
  let sqlitePath: string;
  let env: Record<string, string>;

  /** What a user sees of their trading, with the notifications and the audit log a migration also moves. */
  const whatTheApiAnswers = () => answersOf(s, { notifications: '/api/notifications?limit=100', audit: '/api/audit?limit=100' });

  beforeAll(async () => {
    s = await startTradingStack('sqlite', { BACKUP_CRON: 'off', TICK_MS: '100' });
    sqlitePath = s.app.config.database.sqlitePath;
    env = { DATA_DIR: s.app.dataDir, MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('moves every row, and tradedesk on PostgreSQL answers as it did on SQLite', { timeout: 120_000 }, async () => {
    const { armed } = await scriptedSession(s);
    const before = await whatTheApiAnswers();

    const target = await createPostgresDatabase(inject('postgresUrl'), 'td_migrated');
    const args = ['--from', `sqlite:${sqlitePath}`, '--to', target];
    await s.restartApp(async () => {
      const fileBefore = sha256(sqlitePath);
      const migrated = await runCli('migrate-to-postgres', env, args);
      expect(migrated.stderr).toBe('');
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toMatch(/copying orders \(\d+ rows\)/);
      expect(migrated.stdout).toContain('every row count and checksum equal');
      expect(migrated.stdout).toMatch(/ [1-9] sequences set past the copied ids/);
      // The password of the target URL is never printed.
      expect(migrated.stdout).not.toContain(new URL(target).password || '\u0000');

      const again = await runCli('migrate-to-postgres', env, args);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('the target database is not empty');
      expect(again.stderr).toContain('nothing was changed');
      expect(sha256(sqlitePath)).toBe(fileBefore);
    }, target);

    expect(s.app.config.database.kind).toBe('postgres');
    const after = await whatTheApiAnswers();
    // The stop and the start just now are told too: every notification from before is there, unchanged, and new ones get new ids.
    type Notifications = { items: Array<{ id: number; type: string }> };
    const [earlier, now] = [before.notifications as Notifications, after.notifications as Notifications];
    expect(now.items).toEqual(expect.arrayContaining(earlier.items));
    const added = now.items.filter((n) => !earlier.items.some((e) => e.id === n.id));
    expect(added.map((n) => n.type).sort((a, b) => a.localeCompare(b))).toEqual(['system.started', 'system.stopping']);
    expect(Math.min(...added.map((n) => n.id))).toBeGreaterThan(Math.max(...earlier.items.map((n) => n.id)));
    // The migration is in the audit log, with an id past every copied one.
    type Audit = { items: Array<{ id: number; action: string; actor: string }> };
    const [auditBefore, auditAfter] = [before.audit as Audit, after.audit as Audit];
    expect(auditAfter.items.slice(1)).toEqual(auditBefore.items);
    expect(auditAfter.items[0]).toMatchObject({ action: 'database.migrated_from_sqlite', actor: 'cli' });
    expect(auditAfter.items[0].id).toBeGreaterThan(Math.max(...auditBefore.items.map((a) => a.id)));
    expect({ ...after, notifications: undefined, audit: undefined }).toEqual({ ...before, notifications: undefined, audit: undefined });

    await s.setPrice('binance', 'BTC/USDT', '47000');
    const done = await s.conditionInStatus<ConditionBody>(armed.id, 'DONE', 15_000);
    expect(done.orderIds).toHaveLength(1);
    const sell = (await s.api().get(`/api/orders/${done.orderIds[0]}`).expect(200)).body as { clientOrderId: string };
    expect(
      (await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${sell.clientOrderId}`)).orders,
    ).toHaveLength(1);

    const fresh = await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.001' });
    expect((before.orders as { items: Array<{ id: string }> }).items.map((o) => o.id)).not.toContain(fresh);
  });

  it(
    'refuses bad arguments, a target that is not PostgreSQL, and a file that is not a tradedesk database',
    { timeout: 90_000 },
    async () => {
      const missing = await runCli('migrate-to-postgres', env, ['--from', `sqlite:${sqlitePath}`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('both --from and --to are needed');
      const wrongTarget = await runCli('migrate-to-postgres', env, ['--from', `sqlite:${sqlitePath}`, '--to', 'sqlite:/tmp/x.sqlite']);
      expect(wrongTarget.code).toBe(2);
      expect(wrongTarget.stderr).toContain('--to must be a postgres:// URL');
      const empty = await createPostgresDatabase(inject('postgresUrl'), 'td_refused');
      const notTradedesk = await runCli('migrate-to-postgres', env, ['--from', `sqlite:${sqlitePath}.lock`, '--to', empty]);
      expect(notTradedesk.code).toBe(1);
      expect(notTradedesk.stderr).toContain('is not a tradedesk database');
    },
  );

  it(
    'a value that does not fit stops the migration naming table, row and column, and leaves the target empty to try again',
    { timeout: 60_000 },
    async () => {
      const copy = join(s.app.dataDir, 'damaged.sqlite');
      copyFileSync(sqlitePath, copy);
      const db = new Database(copy);
      db.prepare(`UPDATE orders SET amount = 'a lot' WHERE rowid = (SELECT min(rowid) FROM orders)`).run();
      db.close();
      const target = await createPostgresDatabase(inject('postgresUrl'), 'td_damaged');
      const migrate = (from: string) =>
        migrateSqliteToPostgres({
          sqlitePath: from,
          postgresUrl: target,
          sqliteMigrations: sqliteMigrations.map((M) => new M().name),
          migrateTarget: async () => {
            const options = dataSourceOptions(new DatabaseConfig('postgres', target, 2), persistenceSchema);
            const dataSource = new TradedeskDataSource(options);
            await dataSource.initialize();
            try {
              await runMigrations(dataSource);
            } finally {
              await dataSource.destroy();
            }
          },
        });
      await expect(migrate(copy)).rejects.toThrow(/^orders row \d+\.amount: not a decimal number \("a lot"\)$/);
      const sql = await sqlClient(target);
      try {
        expect(await sql.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
      } finally {
        await sql.close();
      }
      // The same target takes the undamaged file.
      const report = await migrate(sqlitePath);
      expect(report.tables.find((t) => t.table === 'orders')?.rows).toBeGreaterThan(0);
      for (const table of report.tables) expect(table.postgresChecksum, table.table).toBe(table.sqliteChecksum);
    },
  );
});
