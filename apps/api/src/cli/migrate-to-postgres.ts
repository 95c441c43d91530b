// npm run db:migrate-to-postgres -- --from sqlite:<file> --to postgres://user:pass@host/db
// Moves a tradedesk SQLite database into a new, empty PostgreSQL database, with tradedesk stopped:
// the target gets its migrations (a non-empty target is refused), every table is copied in
// foreign-key order in batches with explicit conversions, sequences are set past the copied ids,
// and every table's row count and checksum are compared. The SQLite file is only read. Then set
// DATABASE_URL to the PostgreSQL URL and start tradedesk. Steps: docs/backup.md.
import { migrateSqliteToPostgres, MigrationRefusedError, type MigrationProgress } from '@tradedesk/backup';
import {
  appendAuditEntry,
  type DatabaseConfig,
  dataSourceOptions,
  registerSecret,
  runMigrations,
  SqliteInstanceLock,
  SqliteLockedError,
  TradedeskDataSource,
} from '@tradedesk/shared';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config/load-config.js';
import { sqliteMigrations } from '../persistence/migrations/sqlite/index.js';
import { persistenceSchema } from '../persistence/schema.js';
import { CliError, runCli } from './cli-support.js';

const USAGE = 'npm run db:migrate-to-postgres -- --from sqlite:<file> --to postgres://user:password@host:5432/database';

function parseArguments(argv: string[]): { from: string; to: string } {
  const given: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--from' && flag !== '--to') throw new CliError(`unknown argument "${flag}": ${USAGE}`, 2);
    const value = inline ?? argv[++i];
    if (!value) throw new CliError(`${flag} needs a value: ${USAGE}`, 2);
    given[flag.slice(2)] = value;
  }
  if (!given.from || !given.to) throw new CliError(`both --from and --to are needed: ${USAGE}`, 2);
  return { from: given.from, to: given.to };
}

/** Parsed and checked exactly as DATABASE_URL is. */
function databaseOf(flag: string, value: string, kind: DatabaseConfig['kind']): DatabaseConfig {
  let database: DatabaseConfig;
  try {
    database = loadConfig({ ...process.env, DATABASE_URL: value }).database;
  } catch (error) {
    throw new CliError(`--${flag}: ${error instanceof Error ? error.message.replace(/^DATABASE_URL:? ?/, '') : String(error)}`, 2);
  }
  if (database.kind !== kind)
    throw new CliError(`--${flag} must be a ${kind === 'sqlite' ? 'sqlite:<file>' : 'postgres://'} URL: ${USAGE}`, 2);
  return database;
}

/** A bar per table on a terminal; a line per table otherwise (logs, CI). */
function progressOf(out: (line: string) => void): MigrationProgress & { stop(): void } {
  if (!process.stderr.isTTY)
    return { table: (name, rows) => out(`copying ${name} (${rows} rows)`), copied: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: '{table} [{bar}] {value}/{total} rows', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    table: (name, rows) => {
      if (started) bar.stop();
      bar.start(rows, 0, { table: name.padEnd(24) });
      started = true;
    },
    copied: (rows) => bar.increment(rows),
    stop: () => started && bar.stop(),
  };
}

/** tradedesk's data source on the target, for its migrations and its audit entry. */
async function withTarget(to: DatabaseConfig, work: (dataSource: TradedeskDataSource) => Promise<void>): Promise<void> {
  const options = dataSourceOptions(to, persistenceSchema);
  const dataSource = new TradedeskDataSource(options.type === 'postgres' ? { ...options, applicationName: 'tradedesk-cli' } : options);
  await dataSource.initialize();
  try {
    await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

await runCli('db:migrate-to-postgres', async () => {
  const args = parseArguments(process.argv.slice(2));
  const from = databaseOf('from', args.from, 'sqlite');
  const to = databaseOf('to', args.to, 'postgres');
  const target = new URL(to.url);
  registerSecret(decodeURIComponent(target.password));
  const shown = `${target.hostname}:${target.port || 5432}${target.pathname}`;
  const out = (line: string) => process.stdout.write(`${line}\n`);

  let lock: SqliteInstanceLock;
  try {
    lock = SqliteInstanceLock.acquire(from.sqlitePath);
  } catch (error) {
    if (error instanceof SqliteLockedError)
      throw new CliError(`tradedesk is running on ${from.sqlitePath}: stop it first, then run this again; nothing was changed`);
    throw error;
  }
  const progress = progressOf(out);
  try {
    out(`migrating ${from.sqlitePath} → PostgreSQL ${shown}`);
    const report = await migrateSqliteToPostgres({
      sqlitePath: from.sqlitePath,
      postgresUrl: to.url,
      sqliteMigrations: sqliteMigrations.map((M) => new M().name),
      migrateTarget: () =>
        withTarget(to, async (dataSource) => {
          await runMigrations(dataSource);
        }),
      progress,
    });
    progress.stop();
    const rowsCopied = report.tables.reduce((sum, t) => sum + t.rows, 0);
    await withTarget(to, (dataSource) =>
      appendAuditEntry(dataSource.manager, {
        action: 'database.migrated_from_sqlite',
        actor: 'cli',
        details: { from: from.sqlitePath, tables: report.tables.length, rows: rowsCopied },
      }),
    );
    const width = Math.max(...report.tables.map((t) => t.table.length));
    for (const t of report.tables)
      out(`  ${t.table.padEnd(width)}  ${String(t.rows).padStart(8)} rows  checksum ${t.postgresChecksum.slice(0, 16)} equal`);
    out(
      `migrated ${rowsCopied} rows in ${report.tables.length} tables in ${(report.durationMs / 1000).toFixed(1)} s; every row count and checksum equal; ` +
        `${report.sequences.length} sequences set past the copied ids; ${from.sqlitePath} was only read`,
    );
    out(`next: set DATABASE_URL to the PostgreSQL URL and start tradedesk`);
  } catch (error) {
    progress.stop();
    if (error instanceof MigrationRefusedError) throw new CliError(error.message);
    throw error;
  } finally {
    lock.release();
  }
});
