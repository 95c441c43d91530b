import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { BackupManifest } from '../../domain/backup-manifest.js';
import { BackupJobs } from '../backup-jobs.js';

/** Prove an existing backup again: checksum, restore into a scratch database, integrity and row counts. */
export class VerifyBackupCommand {
  constructor(readonly backupId: string) {}
}

@CommandHandler(VerifyBackupCommand)
export class VerifyBackupHandler implements ICommandHandler<VerifyBackupCommand, BackupManifest> {
  constructor(private readonly jobs: BackupJobs) {}

  execute({ backupId }: VerifyBackupCommand): Promise<BackupManifest> {
    return Promise.resolve(this.jobs.verify(backupId).manifest);
  }
}
