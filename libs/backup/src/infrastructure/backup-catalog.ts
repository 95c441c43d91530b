import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { codeOf, replaceSecretFile, SqliteInstanceLock, SqliteLockedError } from '@tradedesk/shared';
import { type BackupManifest, isBackupId, manifestFileName } from '../domain/backup-manifest.js';

const MANIFEST_SUFFIX = '.manifest.json';
/** Files being written: renamed to their name once whole, removed if anything goes wrong. */
export const PARTIAL_SUFFIX = '.partial';
/** Decrypted copies a verification opens, removed when it ends. */
export const SCRATCH_PREFIX = '.verify-';

/** Held while a backup or a verification runs on a BACKUP_DIR, by any process (the server, `npm run backup`). */
export class BackupDirLock {
  private constructor(private readonly lock: SqliteInstanceLock) {}

  /** The lock, or undefined while someone else holds it. Released by the kernel if the holder dies. */
  static tryAcquire(dir: string): BackupDirLock | undefined {
    try {
      // The same kernel-held lock that keeps one tradedesk per SQLite file, on BACKUP_DIR/backup.lock.
      return new BackupDirLock(SqliteInstanceLock.acquire(join(dir, 'backup')));
    } catch (error) {
      if (error instanceof SqliteLockedError) return undefined;
      throw error;
    }
  }

  release(): void {
    this.lock.release();
  }
}

/**
 * The backups of a BACKUP_DIR: each a file with its manifest beside it. The directory is the
 * catalog (no table in the database being backed up: a restore would roll the list back with it).
 */
export class BackupCatalog {
  constructor(readonly dir: string) {}

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(file: string): string {
    return join(this.dir, file);
  }

  /** Writes the manifest whole or not at all (temporary file, fsync, rename). */
  save(manifest: BackupManifest): void {
    replaceSecretFile(this.pathOf(manifestFileName(manifest.file)), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Every readable manifest, newest first; unreadable ones are reported to `skipped`. */
  list(skipped?: (file: string, reason: string) => void): BackupManifest[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw error;
    }
    const manifests: BackupManifest[] = [];
    for (const name of names.filter((n) => n.endsWith(MANIFEST_SUFFIX))) {
      try {
        const manifest = readManifest(this.pathOf(name));
        if (manifest.file !== name.slice(0, -MANIFEST_SUFFIX.length)) throw new Error('names another file');
        manifests.push(manifest);
      } catch (error) {
        skipped?.(name, error instanceof Error ? error.message : String(error));
      }
    }
    return manifests.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(id: string): BackupManifest | undefined {
    if (!isBackupId(id)) return undefined;
    return this.list().find((m) => m.id === id);
  }

  /** Removes a backup's file and its manifest (the manifest last: a crash in between leaves a record of a missing file, never an orphan file). */
  remove(manifest: BackupManifest): void {
    rmSync(this.pathOf(manifest.file), { force: true });
    rmSync(this.pathOf(`${manifest.file}${PARTIAL_SUFFIX}`), { force: true });
    rmSync(this.pathOf(manifestFileName(manifest.file)), { force: true });
  }

  /** Leftovers of a process that stopped mid-backup: partial files and verification copies. Only with the lock held. */
  removeLeftovers(): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(PARTIAL_SUFFIX) || name.startsWith(SCRATCH_PREFIX)) {
        rmSync(this.pathOf(name), { force: true, recursive: true });
        removed.push(name);
      }
    }
    return removed;
  }
}

export function readManifest(path: string): BackupManifest {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<BackupManifest>;
  if (typeof parsed.id !== 'string' || !isBackupId(parsed.id) || typeof parsed.file !== 'string' || basename(parsed.file) !== parsed.file)
    throw new Error(`${path} is not a tradedesk backup manifest`);
  if (parsed.status !== 'running' && parsed.status !== 'verified' && parsed.status !== 'failed')
    throw new Error(`${path} has an unknown status`);
  return parsed as BackupManifest;
}

/** Makes a finished file durable under its final name: fsync it, rename it, fsync the directory. */
export function commitFile(partial: string, final: string): void {
  const fd = openSync(partial, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, final);
  const dirFd = openSync(dirname(final), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

export function sizeOf(path: string): number {
  return statSync(path).size;
}
