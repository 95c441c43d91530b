import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { codeOf, type DatabaseConfig, type DomainEvent, redactString } from '@tradedesk/shared';
import type { BackupConfig } from '../backup.config.js';
import {
  type BackupFailureStage,
  backupFileName,
  type BackupManifest,
  type BackupTrigger,
  newBackupId,
  type VerificationReport,
} from '../domain/backup-manifest.js';
import { BackupInProgressError, BackupNotFoundError, BackupNotVerifiableError } from '../domain/backup.errors.js';
import { BackupCompletedEvent, type BackupFacts, BackupFailedEvent, BackupVerifiedEvent } from '../domain/backup.events.js';
import { backupsToRemove } from '../domain/retention.js';
import { BackupCatalog, BackupDirLock, commitFile, PARTIAL_SUFFIX, SCRATCH_PREFIX, sizeOf } from '../infrastructure/backup-catalog.js';
import { backupKeyId, decryptingReadStream, encryptingStream } from '../infrastructure/backup-cipher.js';
import { freeBytes, megabytes } from '../infrastructure/disk-space.js';
import { sha256Of } from '../infrastructure/file-hash.js';
import { PostgresBackupEngine } from '../infrastructure/postgres/postgres-backup-engine.js';
import type { RestoreChecks, SnapshotFacts } from '../infrastructure/snapshot-facts.js';
import { SqliteBackupEngine } from '../infrastructure/sqlite/sqlite-backup-engine.js';
import { tradedeskVersion } from '../infrastructure/tradedesk-version.js';

export interface BackupLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface BackupJobsDeps {
  config: BackupConfig;
  database: DatabaseConfig;
  /** The master key, asked for only when a backup is sealed or opened. */
  masterKey: () => Buffer;
  /** Where BackupCompleted / BackupVerified / BackupFailed go (the EventBus in the server). */
  publish: (event: DomainEvent) => void;
  log: BackupLog;
}

/** A backup or verification under way: its manifest as it started, and the manifest it ends with. */
export interface StartedJob {
  manifest: BackupManifest;
  done: Promise<BackupManifest>;
}

class BackupStepError extends Error {
  constructor(
    readonly stage: BackupFailureStage,
    message: string,
  ) {
    super(message);
  }
}

const reasonOf = (error: unknown) => redactString(error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * Takes and proves backups, one at a time per BACKUP_DIR: the disk-space guard, a consistent
 * snapshot written to a partial file and renamed once whole, its manifest, then a verification
 * that restores it, then retention. Every failure leaves the manifest `failed` with its stage and
 * reason, no partial file, and one BackupFailedEvent. Used by the server (schedule and API) and by
 * `npm run backup`, which share the directory's lock.
 */
export class BackupJobs {
  readonly catalog: BackupCatalog;
  private current: { id: string; abort: AbortController; done: Promise<BackupManifest> } | undefined;

  constructor(private readonly deps: BackupJobsDeps) {
    this.catalog = new BackupCatalog(deps.config.dir);
  }

  /** The id of the backup or verification this process is running, if any. */
  get runningId(): string | undefined {
    return this.current?.id;
  }

  /** Starts a backup and answers at once with its manifest (`running`); `done` ends verified or failed. */
  start(trigger: BackupTrigger): StartedJob {
    const lock = this.lock();
    const startedAt = new Date();
    const id = newBackupId(startedAt);
    const encrypted = this.deps.config.encrypt;
    const manifest: BackupManifest = {
      id,
      status: 'running',
      trigger,
      driver: this.deps.database.kind,
      file: backupFileName(id, this.deps.database.kind, encrypted),
      format: this.deps.database.kind === 'sqlite' ? 'sqlite' : 'pg_dump-custom',
      encryption: null,
      sha256: null,
      sizeBytes: null,
      latestMigration: null,
      rowCounts: {},
      newestOrderAt: null,
      startedAt: startedAt.toISOString(),
      finishedAt: null,
      durationMs: null,
      tradedeskVersion: tradedeskVersion(),
      engineVersion: null,
      verification: null,
      failure: null,
    };
    return this.launch(manifest, lock, (signal) => this.backUp(manifest, signal));
  }

  /** Proves an existing backup again (a file copied back from elsewhere, or one that has aged). */
  verify(id: string): StartedJob {
    const existing = this.catalog.get(id);
    if (!existing) throw new BackupNotFoundError(id);
    if (existing.status === 'running') throw new BackupInProgressError(id);
    if (existing.sha256 === null)
      throw new BackupNotVerifiableError(id, `its file was never written (${existing.failure?.reason ?? 'failed'})`);
    const lock = this.lock();
    const manifest: BackupManifest = { ...existing, status: 'running', verification: null, failure: null };
    return this.launch(manifest, lock, (signal) => this.prove(manifest, signal));
  }

  list(): BackupManifest[] {
    return this.catalog.list((file, reason) => this.deps.log.warn(`${file} skipped: ${reason}`));
  }

  get(id: string): BackupManifest {
    const manifest = this.catalog.get(id);
    if (!manifest) throw new BackupNotFoundError(id);
    return manifest;
  }

  /** Stops what is running (pg_dump is killed, the SQLite copy stops between steps) and waits for it to be recorded as failed. */
  async close(): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.abort.abort();
    await current.done.catch(() => undefined);
  }

  private lock(): BackupDirLock {
    if (this.current) throw new BackupInProgressError(this.current.id);
    this.catalog.ensureDir();
    const lock = BackupDirLock.tryAcquire(this.deps.config.dir);
    if (!lock) throw new BackupInProgressError();
    try {
      this.recordInterrupted();
    } catch (error) {
      lock.release();
      throw error;
    }
    return lock;
  }

  /** With the lock held nobody else is writing: a `running` manifest was left by a process that stopped mid-way. */
  private recordInterrupted(): void {
    for (const name of this.catalog.removeLeftovers()) this.deps.log.warn(`removed ${name}, left by a backup that did not finish`);
    for (const manifest of this.catalog.list()) {
      if (manifest.status !== 'running') continue;
      // A file is only ever under its final name once whole: one interrupted while being verified can be verified again.
      this.catalog.save({
        ...manifest,
        status: 'failed',
        failure: { stage: manifest.sha256 === null ? 'backup' : 'verification', reason: 'interrupted: the process taking it stopped' },
      });
    }
  }

  private launch(manifest: BackupManifest, lock: BackupDirLock, work: (signal: AbortSignal) => Promise<void>): StartedJob {
    const abort = new AbortController();
    const started = { ...manifest };
    const done = (async () => {
      try {
        this.save(manifest);
        await work(abort.signal);
      } catch (error) {
        const stage = error instanceof BackupStepError ? error.stage : manifest.sha256 === null ? 'backup' : 'verification';
        this.fail(manifest, stage, error instanceof BackupStepError ? error.message : noSpaceHint(error, this.deps.config.dir));
      } finally {
        lock.release();
        this.current = undefined;
      }
      return manifest;
    })();
    this.current = { id: manifest.id, abort, done };
    return { manifest: started, done };
  }

  private async backUp(manifest: BackupManifest, signal: AbortSignal): Promise<void> {
    this.guardSpace(await this.engineEstimate());
    const facts = await this.write(manifest, signal);
    const finishedAt = new Date();
    Object.assign(manifest, {
      latestMigration: facts.latestMigration,
      rowCounts: facts.rowCounts,
      newestOrderAt: facts.newestOrderAt,
      engineVersion: facts.engineVersion,
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - Date.parse(manifest.startedAt),
    });
    this.save(manifest);
    this.deps.log.log(
      `backup ${manifest.id} written: ${manifest.file}, ${megabytes(manifest.sizeBytes ?? 0)} in ${manifest.durationMs} ms`,
    );
    this.deps.publish(new BackupCompletedEvent(factsOf(manifest), manifest.sizeBytes ?? 0, manifest.durationMs ?? 0));
    await this.prove(manifest, signal);
    if (manifest.status === 'verified') this.applyRetention();
  }

  /** Refuses to start a backup that would leave less than BACKUP_MIN_FREE_MB free. */
  private guardSpace(estimate: number): void {
    const free = freeBytes(this.deps.config.dir);
    const margin = this.deps.config.minFreeBytes;
    if (free - estimate < margin)
      throw new BackupStepError(
        'space',
        `not started: it needs about ${megabytes(estimate)} and must leave ${megabytes(margin)} free (BACKUP_MIN_FREE_MB), but only ${megabytes(free)} is free in ${this.deps.config.dir}`,
      );
  }

  /** Peak space: a sealed SQLite backup and its plain copy (or, while verified, its decrypted copy) exist side by side. */
  private async engineEstimate(): Promise<number> {
    const engine = this.engine();
    const bytes = engine instanceof SqliteBackupEngine ? engine.estimateBytes() : await engine.estimateBytes();
    return engine instanceof SqliteBackupEngine && this.deps.config.encrypt ? bytes * 2 : bytes;
  }

  private async write(manifest: BackupManifest, signal: AbortSignal): Promise<SnapshotFacts> {
    const final = this.catalog.pathOf(manifest.file);
    const partial = `${final}${PARTIAL_SUFFIX}`;
    const plain = `${final}.plain${PARTIAL_SUFFIX}`;
    const key = this.deps.config.encrypt ? this.deps.masterKey() : undefined;
    const engine = this.engine();
    try {
      const store = (source: Readable) =>
        pipeline([source, ...(key ? [encryptingStream(key)] : []), createWriteStream(partial, { mode: 0o600, flags: 'wx' })]);
      let facts: SnapshotFacts;
      if (engine instanceof SqliteBackupEngine) {
        // The backup API writes a database file; it is sealed into the backup file afterwards.
        facts = await engine.snapshot(key ? plain : partial, signal);
        if (key) await store(createReadStream(plain));
      } else {
        facts = await engine.snapshot(store, signal);
      }
      manifest.sha256 = await sha256Of(partial);
      manifest.sizeBytes = sizeOf(partial);
      manifest.encryption = key ? { algorithm: 'aes-256-gcm', keyId: backupKeyId(key) } : null;
      commitFile(partial, final);
      return facts;
    } catch (error) {
      rmSync(final, { force: true });
      manifest.sha256 = null;
      manifest.sizeBytes = null;
      throw new BackupStepError('backup', noSpaceHint(error, this.deps.config.dir));
    } finally {
      rmSync(partial, { force: true });
      rmSync(plain, { force: true });
    }
  }

  /** Verification: the checksum read back, then a restore into a scratch database and its checks. */
  private async prove(manifest: BackupManifest, signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    const path = this.catalog.pathOf(manifest.file);
    const report = (checksum: string, checks?: RestoreChecks): VerificationReport => ({
      verifiedAt: new Date().toISOString(),
      durationMs: Date.now() - startedAt,
      checksum,
      restore: checks?.restore ?? 'not checked',
      integrity: checks?.integrity ?? 'not checked',
      foreignKeys: checks?.foreignKeys ?? 'not checked',
      rowCounts: checks?.rowCounts ?? 'not checked',
    });
    let actual: string;
    try {
      actual = await sha256Of(path);
    } catch (error) {
      manifest.verification = report(codeOf(error) === 'ENOENT' ? 'the backup file is missing' : `cannot be read: ${reasonOf(error)}`);
      return this.concludeVerification(manifest);
    }
    if (actual !== manifest.sha256) {
      manifest.verification = report(`mismatch: the file reads ${actual}, the manifest says ${manifest.sha256}`);
      return this.concludeVerification(manifest);
    }
    manifest.verification = report('ok', await this.restoreChecks(manifest, path, signal));
    return this.concludeVerification(manifest);
  }

  private async restoreChecks(manifest: BackupManifest, path: string, signal: AbortSignal): Promise<RestoreChecks> {
    const key = manifest.encryption ? this.deps.masterKey() : undefined;
    if (manifest.encryption && key && backupKeyId(key) !== manifest.encryption.keyId)
      return notRestored(
        `sealed under master key id ${manifest.encryption.keyId}, the current key is ${backupKeyId(key)}: it opens only with the key in use when it was taken`,
      );
    const engine = this.engine();
    if (engine instanceof SqliteBackupEngine) {
      if (!key) return SqliteBackupEngine.verifyCopy(path, manifest);
      const scratch = join(this.deps.config.dir, `${SCRATCH_PREFIX}${manifest.id}.sqlite`);
      try {
        await pipeline(await decryptingReadStream(path, key), createWriteStream(scratch, { mode: 0o600 }));
        return await SqliteBackupEngine.verifyCopy(scratch, manifest);
      } catch (error) {
        return notRestored(noSpaceHint(error, this.deps.config.dir));
      } finally {
        rmSync(scratch, { force: true });
      }
    }
    let input: Readable;
    try {
      input = key ? await decryptingReadStream(path, key) : createReadStream(path);
    } catch (error) {
      return notRestored(reasonOf(error));
    }
    return engine.verify(input, manifest, signal);
  }

  private concludeVerification(manifest: BackupManifest): void {
    const v = manifest.verification!;
    const problems = (['checksum', 'restore', 'integrity', 'foreignKeys', 'rowCounts'] as const).filter((k) => v[k] !== 'ok');
    if (problems.length > 0) {
      this.fail(manifest, 'verification', problems.map((k) => `${k}: ${v[k]}`).join('; '));
      return;
    }
    manifest.status = 'verified';
    manifest.failure = null;
    this.save(manifest);
    this.deps.log.log(`backup ${manifest.id} verified in ${v.durationMs} ms (restored, integrity and row counts checked)`);
    this.deps.publish(new BackupVerifiedEvent(factsOf(manifest), v.durationMs));
  }

  private fail(manifest: BackupManifest, stage: BackupFailureStage, reason: string): void {
    manifest.status = 'failed';
    manifest.failure = { stage, reason };
    if (manifest.finishedAt === null) {
      manifest.finishedAt = new Date().toISOString();
      manifest.durationMs = Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt);
    }
    try {
      this.save(manifest);
    } catch (error) {
      // A full disk may refuse the manifest too: the next backup finds it `running` without a lock and records it failed.
      this.deps.log.error(`could not record backup ${manifest.id} as failed: ${reasonOf(error)}`);
    }
    this.deps.log.error(`backup ${manifest.id} failed (${stage}): ${reason}`);
    this.deps.publish(new BackupFailedEvent(factsOf(manifest), stage, reason));
  }

  private save(manifest: BackupManifest): void {
    this.catalog.save(manifest);
  }

  /** Deletes what retention no longer keeps; a failure here is logged, never turns a verified backup into a failed one. */
  private applyRetention(): void {
    try {
      const manifests = this.catalog.list();
      const remove = new Set(
        backupsToRemove(
          manifests.map((m) => ({ id: m.id, status: m.status, startedAt: new Date(m.startedAt) })),
          this.deps.config.keep,
          this.deps.config.timeZone,
          new Date(),
        ),
      );
      for (const manifest of manifests.filter((m) => remove.has(m.id))) {
        this.catalog.remove(manifest);
        this.deps.log.log(`retention removed backup ${manifest.id} (${manifest.status})`);
      }
    } catch (error) {
      this.deps.log.warn(`retention could not run: ${reasonOf(error)}`);
    }
  }

  private engine(): SqliteBackupEngine | PostgresBackupEngine {
    const db = this.deps.database;
    return db.kind === 'sqlite' ? new SqliteBackupEngine(db.sqlitePath) : new PostgresBackupEngine(db.url, this.deps.config.pgBinDir);
  }
}

function factsOf(manifest: BackupManifest): BackupFacts {
  return { backupId: manifest.id, driver: manifest.driver, trigger: manifest.trigger, startedAt: new Date(manifest.startedAt) };
}

function notRestored(reason: string): RestoreChecks {
  return { restore: reason, integrity: 'not checked', foreignKeys: 'not checked', rowCounts: 'not checked' };
}

/** A full disk says so plainly, whichever layer noticed (ENOSPC, a quota, SQLite's SQLITE_FULL). */
function noSpaceHint(error: unknown, dir: string): string {
  const code = (error as { code?: string })?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || code === 'SQLITE_FULL')
    return `no space left in ${dir} (${code}): free space or point BACKUP_DIR at a larger disk; the partial file was removed`;
  return reasonOf(error);
}
