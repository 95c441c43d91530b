import { DomainEvent } from '@tradedesk/shared';
import type { BackupDriver, BackupFailureStage, BackupTrigger } from './backup-manifest.js';

/** What every backup event tells about its backup. */
export interface BackupFacts {
  backupId: string;
  driver: BackupDriver;
  trigger: BackupTrigger;
  startedAt: Date;
}

/** A backup file was written whole (its verification follows). */
export class BackupCompletedEvent extends DomainEvent {
  constructor(
    readonly backup: BackupFacts,
    readonly sizeBytes: number,
    readonly durationMs: number,
  ) {
    super();
  }
}

/** Restoring the backup into a scratch database was proven: checksum, integrity, foreign keys and row counts. */
export class BackupVerifiedEvent extends DomainEvent {
  constructor(
    readonly backup: BackupFacts,
    readonly verificationMs: number,
  ) {
    super();
  }
}

/**
 * A backup could not be taken (no space, the dump failed) or did not survive its verification.
 * Published once per failed backup or verification; the user must hear of it.
 */
export class BackupFailedEvent extends DomainEvent {
  constructor(
    readonly backup: BackupFacts,
    readonly stage: BackupFailureStage,
    readonly reason: string,
  ) {
    super();
  }
}
