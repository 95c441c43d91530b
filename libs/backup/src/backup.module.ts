import { Logger, Module } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseConfig, MasterKey } from '@tradedesk/shared';
import { BackupJobs } from './application/backup-jobs.js';
import { BackupSchedule } from './application/backup-schedule.js';
import { TakeBackupHandler } from './application/commands/take-backup.js';
import { VerifyBackupHandler } from './application/commands/verify-backup.js';
import { GetBackupHandler, ListBackupsHandler } from './application/queries/backup.queries.js';
import { BackupConfig } from './backup.config.js';
import { BackupHealthContributor } from './infrastructure/backup-health.contributor.js';
import { BackupsController } from './interface/http/backups.controller.js';

/** Backups: scheduled and on demand, each proven by a restore; the list; the health warning. Restore is a CLI (apps/api). */
@Module({
  imports: [TerminusModule],
  controllers: [BackupsController],
  providers: [
    {
      provide: BackupJobs,
      inject: [BackupConfig, DatabaseConfig, MasterKey, EventBus],
      useFactory: (config: BackupConfig, database: DatabaseConfig, masterKey: MasterKey, events: EventBus) =>
        new BackupJobs({
          config,
          database,
          masterKey: () => masterKey.key,
          publish: (event) => {
            events.publish(event);
          },
          log: new Logger('Backups'),
        }),
    },
    BackupSchedule,
    BackupHealthContributor,
    TakeBackupHandler,
    VerifyBackupHandler,
    ListBackupsHandler,
    GetBackupHandler,
  ],
})
export class BackupModule {}
