// Backup context: backups taken on a schedule and on demand, each proven by restoring it; restore and SQLite → PostgreSQL migration for the CLI.
export { BackupConfig } from './backup.config.js';
export * from './domain/backup.events.js';
export type {
  BackupManifest,
  BackupStatus,
  BackupDriver,
  BackupTrigger,
  BackupFailureStage,
  VerificationReport,
} from './domain/backup-manifest.js';
export { type RetentionPolicy } from './domain/retention.js';
export { TakeBackupCommand } from './application/commands/take-backup.js';
export { VerifyBackupCommand } from './application/commands/verify-backup.js';
export { ListBackupsQuery, GetBackupQuery, type BackupPage } from './application/queries/backup.queries.js';
export { BackupJobs, type BackupLog, type StartedJob } from './application/backup-jobs.js';
export * from './backup.module.js';
export {
  RestoreRefusedError,
  type LocatedBackup,
  locateBackup,
  checkRestorable,
  restoreSqliteFile,
  restorePostgresDatabase,
  tradedeskConnections,
} from './application/restore/restore-backup.js';
export {
  migrateSqliteToPostgres,
  MigrationRefusedError,
  type MigrationProgress,
  type MigrationReport,
  type TableReport,
} from './application/migration/sqlite-to-postgres.js';
