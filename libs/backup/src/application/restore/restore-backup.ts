import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { type BackupManifest, isBackupId, manifestFileName } from '../../domain/backup-manifest.js';
import { BackupCatalog, commitFile, readManifest } from '../../infrastructure/backup-catalog.js';
import { backupKeyId, decryptingReadStream } from '../../infrastructure/backup-cipher.js';
import { sha256Of } from '../../infrastructure/file-hash.js';
import { findPgTool, libpqEnv, runPgTool } from '../../infrastructure/postgres/pg-tools.js';
import { settleAll } from '../../infrastructure/settle-all.js';
import { SqliteBackupEngine } from '../../infrastructure/sqlite/sqlite-backup-engine.js';

/** A restore refused before it changed anything; the message says why and what to do. */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

export interface LocatedBackup {
  manifest: BackupManifest;
  /** The backup file. */
  path: string;
}

/**
 * The backup named on the command line: an id in BACKUP_DIR, or a backup file (anywhere) with its
 * `<file>.manifest.json` beside it — the manifest holds the checksum, the driver and the key id.
 */
export function locateBackup(argument: string, backupDir: string, cwd = process.cwd()): LocatedBackup {
  if (isBackupId(argument)) {
    const manifest = new BackupCatalog(backupDir).get(argument);
    if (!manifest) throw new RestoreRefusedError(`no backup ${argument} in ${backupDir} (BACKUP_DIR); GET /api/backups lists them`);
    return { manifest, path: join(backupDir, manifest.file) };
  }
  const path = isAbsolute(argument) ? argument : resolve(cwd, argument);
  const manifestPath = path.endsWith('.manifest.json') ? path : join(dirname(path), manifestFileName(basename(path)));
  if (!existsSync(manifestPath))
    throw new RestoreRefusedError(
      `${argument} is neither a backup id nor a backup file with its manifest beside it (${manifestPath} not found)`,
    );
  let manifest: BackupManifest;
  try {
    manifest = readManifest(manifestPath);
  } catch (error) {
    throw new RestoreRefusedError(error instanceof Error ? error.message : String(error));
  }
  return { manifest, path: join(dirname(manifestPath), manifest.file) };
}

/** Refuses a backup that cannot be trusted: never written whole, altered since (checksum), or sealed under another master key. */
export async function checkRestorable(backup: LocatedBackup, masterKey: () => Buffer): Promise<void> {
  const { manifest, path } = backup;
  if (manifest.sha256 === null)
    throw new RestoreRefusedError(`backup ${manifest.id} was never written whole (${manifest.failure?.reason ?? 'failed'})`);
  if (!existsSync(path)) throw new RestoreRefusedError(`the backup file ${path} is missing`);
  const actual = await sha256Of(path);
  if (actual !== manifest.sha256)
    throw new RestoreRefusedError(
      `${path} does not match its manifest (sha256 ${actual}, the manifest says ${manifest.sha256}): it was altered or damaged`,
    );
  if (manifest.encryption) {
    const keyId = backupKeyId(masterKey());
    if (keyId !== manifest.encryption.keyId)
      throw new RestoreRefusedError(
        `backup ${manifest.id} is sealed under master key id ${manifest.encryption.keyId}; the current key is ${keyId}: set MASTER_KEY to the key in use when it was taken`,
      );
  }
}

async function plaintextOf(backup: LocatedBackup, masterKey: () => Buffer): Promise<Readable> {
  return backup.manifest.encryption ? decryptingReadStream(backup.path, masterKey()) : createReadStream(backup.path);
}

/**
 * Puts a SQLite backup in place of the database file, only once the copy is whole and proven
 * (integrity and row counts). The database it replaces is kept beside it, renamed with its WAL,
 * as `<file>.before-restore-<time>`. The caller holds the instance lock (no tradedesk on the file).
 */
export async function restoreSqliteFile(
  backup: LocatedBackup,
  databasePath: string,
  masterKey: () => Buffer,
): Promise<{ keptAs?: string }> {
  const incoming = `${databasePath}.restoring`;
  rmSync(incoming, { force: true });
  try {
    await pipeline(await plaintextOf(backup, masterKey), createWriteStream(incoming, { mode: 0o600, flags: 'wx' }));
    const checks = await SqliteBackupEngine.verifyCopy(incoming, backup.manifest);
    const problems = Object.entries(checks).filter(([, v]) => v !== 'ok');
    if (problems.length > 0)
      throw new RestoreRefusedError(`the backup does not restore cleanly: ${problems.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    let keptAs: string | undefined;
    if (existsSync(databasePath)) {
      keptAs = `${databasePath}.before-restore-${new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}`;
      // The WAL holds committed rows not yet in the file: it goes along, so the kept copy opens complete.
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(`${databasePath}${suffix}`)) renameSync(`${databasePath}${suffix}`, `${keptAs}${suffix}`);
    }
    commitFile(incoming, databasePath);
    return keptAs ? { keptAs } : {};
  } finally {
    rmSync(incoming, { force: true });
  }
}

/**
 * Replaces the whole `public` schema of the database with the backup's, in one transaction: the
 * schema is dropped and recreated, then pg_restore's script is applied by psql with
 * `--single-transaction` and ON_ERROR_STOP. Any error rolls everything back and the database is
 * as it was.
 */
export async function restorePostgresDatabase(
  backup: LocatedBackup,
  databaseUrl: string,
  masterKey: () => Buffer,
  binDir?: string,
): Promise<void> {
  const env = libpqEnv(databaseUrl);
  const script = runPgTool(findPgTool('pg_restore', binDir), ['--no-owner', '--no-acl', '--file=-'], {
    env,
    stdin: await plaintextOf(backup, masterKey),
  });
  const apply = runPgTool(
    findPgTool('psql', binDir),
    [
      '-X',
      '--quiet',
      '--no-password',
      '--set=ON_ERROR_STOP=1',
      '--single-transaction',
      '--command=DROP SCHEMA public CASCADE',
      '--command=CREATE SCHEMA public',
      '--file=-',
    ],
    { env, stdin: script.stdout },
  );
  await settleAll([script.done, apply.done]);
}

/** Tradedesk servers connected to this PostgreSQL database (they name their connections `tradedesk`). */
export async function tradedeskConnections(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tradedesk-backup', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tradedesk' AND pid <> pg_backend_pid()`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
