/**
 * What the monitoring context asks about backups (ADR 0009: the asker owns the question): the
 * backup context answers it with a @QueryHandler(GetBackupStatusQuery) once it exists. Without a
 * handler there are no backup metrics and no backup line in /api/health.
 */
export class GetBackupStatusQuery {}

export interface BackupStatus {
  /** The last backup that completed; null when none has yet. */
  lastSuccessAt: Date | null;
  /** The last backup whose restore was verified; null when none has been. */
  lastVerifiedAt: Date | null;
}
