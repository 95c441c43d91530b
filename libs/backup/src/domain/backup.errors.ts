import { ConflictError, NotFoundError } from '@tradedesk/shared';

export class BackupNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('BACKUP.NOT_FOUND', `no backup ${id} in BACKUP_DIR`, { id });
  }
}

/** One backup or verification at a time per BACKUP_DIR (the server's own, `npm run backup` or another instance). */
export class BackupInProgressError extends ConflictError {
  constructor(runningId?: string) {
    super(
      'BACKUP.IN_PROGRESS',
      runningId
        ? `backup ${runningId} is still running; wait for it to finish`
        : 'another backup is running on this BACKUP_DIR; wait for it to finish',
      runningId ? { runningId } : undefined,
    );
  }
}

export class BackupNotVerifiableError extends ConflictError {
  constructor(id: string, why: string) {
    super('BACKUP.NOT_VERIFIABLE', `backup ${id} cannot be verified: ${why}`, { id });
  }
}
