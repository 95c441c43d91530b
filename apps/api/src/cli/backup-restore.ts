// npm run backup:restore -- <backup id | backup file> --yes
// Puts a backup back in place of the database of DATABASE_URL, with tradedesk stopped: it refuses
// while an instance runs against that database, refuses a backup whose checksum, driver or master
// key does not match, restores (SQLite: the file swapped only once the copy is proven, the old one
// kept beside it; PostgreSQL: the schema replaced in one transaction), then runs the migrations.
// The next start reconciles every live order with the exchanges before any condition may fire, so
// an older backup never re-sends an order: one that was in flight is found by its client order id.
import {
  BackupConfig,
  checkRestorable,
  type LocatedBackup,
  locateBackup,
  restorePostgresDatabase,
  RestoreRefusedError,
  restoreSqliteFile,
  tradedeskConnections,
} from '@tradedesk/backup';
import { type AppConfig, appendAuditEntry, MasterKey, SqliteInstanceLock, SqliteLockedError } from '@tradedesk/shared';
import pg from 'pg';
import { CliError, openDatabase, runCli } from './cli-support.js';

const USAGE = 'npm run backup:restore -- <backup id | backup file> --yes';

function parseArguments(argv: string[]): { target: string; confirmed: boolean } {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.find((a) => a.startsWith('--') && a !== '--yes');
  if (unknown) throw new CliError(`unknown option "${unknown}": ${USAGE}`, 2);
  if (positional.length !== 1) throw new CliError(`name exactly one backup (an id from GET /api/backups, or a backup file): ${USAGE}`, 2);
  return { target: positional[0], confirmed: argv.includes('--yes') };
}

function describe(backup: LocatedBackup): string {
  const m = backup.manifest;
  const orders = m.rowCounts.orders ?? 0;
  return `backup ${m.id} (${m.driver}, taken ${m.startedAt}, ${m.status}, ${orders} orders, newest order ${m.newestOrderAt ?? 'none'})`;
}

async function restoreSqlite(
  config: AppConfig,
  backup: LocatedBackup,
  masterKey: () => Buffer,
  out: (line: string) => void,
): Promise<void> {
  if (config.database.kind !== 'sqlite') return;
  const path = config.database.sqlitePath;
  let lock: SqliteInstanceLock;
  try {
    lock = SqliteInstanceLock.acquire(path);
  } catch (error) {
    if (error instanceof SqliteLockedError)
      throw new CliError(`tradedesk is running on ${path}: stop it first, then run this again; nothing was changed`);
    throw error;
  }
  try {
    const { keptAs } = await restoreSqliteFile(backup, path, masterKey);
    if (keptAs) out(`the database it replaced is kept as ${keptAs}`);
  } finally {
    // Released only after the swap: a server cannot open the file half-way.
    lock.release();
  }
}

async function restorePostgres(
  config: AppConfig,
  backup: LocatedBackup,
  binDir: string | undefined,
  masterKey: () => Buffer,
): Promise<void> {
  if (config.database.kind !== 'postgres') return;
  const url = config.database.url;
  const running = await tradedeskConnections(url);
  if (running > 0)
    throw new CliError(
      `tradedesk is running on this PostgreSQL database (${running} connection(s) named "tradedesk"): stop every instance first, then run this again; nothing was changed`,
    );
  // Instances starting meanwhile wait at their migrations (the same advisory lock) until the restore is in place.
  const hold = new pg.Client({ connectionString: url, application_name: 'tradedesk-cli', connectionTimeoutMillis: 10_000 });
  await hold.connect();
  try {
    await hold.query('SELECT pg_advisory_lock(7212001)');
    await restorePostgresDatabase(backup, url, masterKey, binDir);
  } finally {
    await hold.end().catch(() => undefined);
  }
}

await runCli('backup:restore', async (config) => {
  const { target, confirmed } = parseArguments(process.argv.slice(2));
  const backupConfig = config.get(BackupConfig);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const masterKey = () => MasterKey.resolve(config.security, config.server).key;
  let restored: LocatedBackup;
  try {
    const backup = locateBackup(target, backupConfig.dir);
    restored = backup;
    if (backup.manifest.driver !== config.database.kind)
      throw new RestoreRefusedError(
        `${describe(backup)} is a ${backup.manifest.driver} backup and DATABASE_URL is ${config.database.kind}: restore it into a ${backup.manifest.driver} database` +
          (backup.manifest.driver === 'sqlite' ? ', then move it with npm run db:migrate-to-postgres' : ''),
      );
    await checkRestorable(backup, masterKey);
    if (!confirmed)
      throw new CliError(
        `this replaces every order, trade and condition in the database with ${describe(backup)}; run again with --yes to do it`,
        2,
      );
    out(`restoring ${describe(backup)}`);
    if (config.database.kind === 'sqlite') await restoreSqlite(config, backup, masterKey, out);
    else await restorePostgres(config, backup, backupConfig.pgBinDir, masterKey);
  } catch (error) {
    if (error instanceof RestoreRefusedError) throw new CliError(`${error.message}; nothing was changed`);
    throw error;
  }
  const dataSource = await openDatabase(config);
  try {
    // Into the restored database, after its migrations: the log of the database as it now is says it was restored.
    const m = restored.manifest;
    await appendAuditEntry(dataSource.manager, {
      action: 'backup.restored',
      actor: 'cli',
      subject: { type: 'backup', id: m.id },
      details: { driver: m.driver, file: m.file, takenAt: m.startedAt, newestOrderAt: m.newestOrderAt },
    });
  } finally {
    await dataSource.destroy();
  }
  out('restored and migrated: at the next start tradedesk reconciles every live order with the exchanges before any condition may fire');
});
