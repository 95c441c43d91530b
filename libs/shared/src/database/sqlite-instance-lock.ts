import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Guarantees one tradedesk process per SQLite file: two schedulers on one file would fire the
 * same stop twice. The lock is an exclusive transaction held open on a companion file for the
 * life of the process; the kernel drops it when the process dies, even by SIGKILL, so there is
 * never a stale lock to clean up.
 */
export class SqliteInstanceLock {
  private constructor(private readonly db: Database.Database) {}

  static acquire(databasePath: string): SqliteInstanceLock {
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
    const lockPath = `${databasePath}.lock`;
    const db = new Database(lockPath, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch {
      db.close();
      throw new SqliteLockedError(databasePath);
    }
    return new SqliteInstanceLock(db);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}

export class SqliteLockedError extends Error {
  constructor(readonly databasePath: string) {
    super(
      `DATABASE_URL: ${databasePath} is in use by another tradedesk process; SQLite mode runs one instance per file (use PostgreSQL to run several)`,
    );
    this.name = 'SqliteLockedError';
  }
}
