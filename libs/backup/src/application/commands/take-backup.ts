import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { BackupManifest } from '../../domain/backup-manifest.js';
import { BackupJobs } from '../backup-jobs.js';

/** Take a backup now (the API) or on the schedule; it is proven by a restore right after. */
export class TakeBackupCommand {
  constructor(readonly trigger: 'api' | 'schedule') {}
}

/** Answers at once with the backup `running`; its end (verified or failed) is in its manifest and its events. */
@CommandHandler(TakeBackupCommand)
export class TakeBackupHandler implements ICommandHandler<TakeBackupCommand, BackupManifest> {
  constructor(private readonly jobs: BackupJobs) {}

  execute({ trigger }: TakeBackupCommand): Promise<BackupManifest> {
    return Promise.resolve(this.jobs.start(trigger).manifest);
  }
}
