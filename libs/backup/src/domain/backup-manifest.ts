import { randomBytes } from 'node:crypto';

export type BackupStatus = 'running' | 'verified' | 'failed';
export type BackupDriver = 'sqlite' | 'postgres';
/** What started it: the schedule (BACKUP_CRON), `POST /api/backups`, or `npm run backup`. */
export type BackupTrigger = 'schedule' | 'api' | 'cli';
/** Where a backup failed: not started for lack of space, while writing it, or when proving it. */
export type BackupFailureStage = 'space' | 'backup' | 'verification';

/** What a verification checked, each `ok` or the reason it is not. */
export interface VerificationReport {
  verifiedAt: string;
  durationMs: number;
  /** The file's SHA-256 read back from disk, equal to the manifest's. */
  checksum: string;
  /** Restored into a scratch database: PostgreSQL `pg_restore` into a temporary database, SQLite opened read-only. */
  restore: string;
  /** SQLite `PRAGMA integrity_check`; PostgreSQL: every constraint restored and validated. */
  integrity: string;
  foreignKeys: string;
  /** Every table's row count in the restored copy equal to the manifest's. */
  rowCounts: string;
}

/**
 * A backup's record, written as `<file>.manifest.json` beside the file: what was saved (row counts
 * per table, latest migration, newest order) and whether restoring it has been proven. It travels
 * with the file, so a copy taken elsewhere can still be checked and restored.
 */
export interface BackupManifest {
  id: string;
  status: BackupStatus;
  trigger: BackupTrigger;
  driver: BackupDriver;
  /** The backup file's name, in the manifest's directory. */
  file: string;
  /** `sqlite` (a database file) or `pg_dump-custom` (`pg_dump -Fc`). */
  format: 'sqlite' | 'pg_dump-custom';
  /** Sealed with AES-256-GCM under a key derived from the master key; `keyId` names that key, never the key. */
  encryption: { algorithm: 'aes-256-gcm'; keyId: string } | null;
  sha256: string | null;
  sizeBytes: number | null;
  /** The name of the last migration applied to the database when it was saved. */
  latestMigration: string | null;
  rowCounts: Record<string, number>;
  /** When the newest order in the backup was created: what a restore brings back, at most. */
  newestOrderAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  tradedeskVersion: string;
  /** The database engine's version (`PostgreSQL 15.8`, `SQLite 3.49.1`). */
  engineVersion: string | null;
  verification: VerificationReport | null;
  failure: { stage: BackupFailureStage; reason: string } | null;
}

/** Backup ids are their start instant plus a random tail: sortable by time, never reused, safe in a file name. */
export const BACKUP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

export function newBackupId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function isBackupId(value: string): boolean {
  return BACKUP_ID.test(value);
}

export function backupFileName(id: string, driver: BackupDriver, encrypted: boolean): string {
  return `tradedesk-${id}.${driver === 'sqlite' ? 'sqlite' : 'pgdump'}${encrypted ? '.enc' : ''}`;
}

export function manifestFileName(file: string): string {
  return `${file}.manifest.json`;
}

/** The newest backup whose restore was proven, if any. */
export function newestVerified(manifests: readonly BackupManifest[]): BackupManifest | undefined {
  return manifests.filter((m) => m.status === 'verified').sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
}
