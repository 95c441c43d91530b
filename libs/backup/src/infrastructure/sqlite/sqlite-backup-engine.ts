import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { codeOf } from '@tradedesk/shared';
import type { BackupManifest } from '../../domain/backup-manifest.js';
import { compareWithManifest, readSnapshotFacts, type RestoreChecks, type SnapshotFacts, type SnapshotQuery } from '../snapshot-facts.js';

/** Pages copied per step: small steps keep the event loop free for orders while a large file is copied. */
const PAGES_PER_STEP = 256;

function tablesOf(db: Database.Database): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{
      name: string;
    }>
  ).map((t) => t.name);
}

function queryOf(db: Database.Database): SnapshotQuery {
  return <T extends Record<string, unknown>>(sql: string) => Promise.resolve(db.prepare(sql).all() as T[]);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * SQLite backups through the online backup API, on a connection of their own. That connection
 * opens a read transaction first and keeps it over the whole copy: with WAL, the server goes on
 * committing orders meanwhile, and the copy, the row counts and the newest order are all the one
 * snapshot of that moment — never half of a transaction, never restarted by new writes.
 */
export class SqliteBackupEngine {
  readonly driver = 'sqlite' as const;

  constructor(private readonly databasePath: string) {}

  /** What the copy takes on disk: the database file and the WAL not yet folded into it. */
  estimateBytes(): number {
    return fileSize(this.databasePath) + fileSize(`${this.databasePath}-wal`);
  }

  /** Copies a consistent snapshot into `destination` (a new file) and returns what it holds. */
  async snapshot(destination: string, signal: AbortSignal): Promise<SnapshotFacts> {
    const db = new Database(this.databasePath, { fileMustExist: true, timeout: 5000 });
    let facts: SnapshotFacts;
    try {
      db.exec('BEGIN');
      // The first read starts the snapshot that the counts and the copy share.
      facts = await readSnapshotFacts(
        queryOf(db),
        tablesOf(db),
        `SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`,
      );
      await db.backup(destination, {
        progress: () => {
          if (signal.aborted) throw new Error('the backup was stopped (tradedesk is shutting down)');
          return PAGES_PER_STEP;
        },
      });
      db.exec('COMMIT');
    } finally {
      db.close();
    }
    // A standalone file: the copy of a WAL database would otherwise need -wal/-shm files beside it.
    const copy = new Database(destination, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    return facts;
  }

  /**
   * Proves a copy: opened read-only, `integrity_check` and `foreign_key_check` clean, the tables,
   * their row counts and the last migration equal to the manifest's.
   */
  static async verifyCopy(copyPath: string, manifest: Pick<BackupManifest, 'rowCounts' | 'latestMigration'>): Promise<RestoreChecks> {
    let db: Database.Database;
    try {
      db = new Database(copyPath, { readonly: true, fileMustExist: true });
    } catch (error) {
      const reason = `does not open as a SQLite database: ${error instanceof Error ? error.message : String(error)}`;
      return { restore: reason, integrity: 'not checked', foreignKeys: 'not checked', rowCounts: 'not checked' };
    }
    try {
      const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
      const integrityResult = integrity.length === 1 && integrity[0] === 'ok' ? 'ok' : integrity.slice(0, 3).join('; ');
      const violations = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
      const foreignKeys =
        violations.length === 0
          ? 'ok'
          : `${violations.length} rows point at missing rows (first: ${violations[0].table} → ${violations[0].parent})`;
      const restored = await readSnapshotFacts(queryOf(db), tablesOf(db), 'SQLite');
      return { restore: 'ok', integrity: integrityResult, foreignKeys, rowCounts: compareWithManifest(manifest, restored) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { restore: 'ok', integrity: `cannot be read: ${reason}`, foreignKeys: 'not checked', rowCounts: 'not checked' };
    } finally {
      db.close();
    }
  }
}
