import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { BackupConfig } from '../backup.config.js';
import { BackupInProgressError } from '../domain/backup.errors.js';
import { BackupJobs } from './backup-jobs.js';
import { TakeBackupCommand } from './commands/take-backup.js';

const JOB = 'backup';

/**
 * The scheduled backup: a cron job (BACKUP_CRON in BACKUP_TIMEZONE) registered with the
 * SchedulerRegistry that only sends TakeBackupCommand. A backup still running at the next
 * occurrence (or one taken by another process on the same BACKUP_DIR) makes it skip that one.
 */
@Injectable()
export class BackupSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BackupSchedule');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly commands: CommandBus,
    private readonly config: BackupConfig,
    private readonly jobs: BackupJobs,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.cron) return;
    const job = CronJob.from({ cronTime: this.config.cron, timeZone: this.config.timeZone, onTick: () => void this.run(), start: false });
    this.registry.addCronJob(JOB, job);
    job.start();
    this.logger.log(`backups scheduled at "${this.config.cron}" (${this.config.timeZone}); next ${job.nextDate().toISO()}`);
  }

  /** Stops the schedule and any backup in flight (recorded as failed: interrupted) before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', JOB)) {
      void this.registry.getCronJob(JOB).stop();
      this.registry.deleteCronJob(JOB);
    }
    await this.jobs.close();
  }

  /** When the next scheduled backup is due, if any. */
  nextRun(): Date | undefined {
    return this.registry.doesExist('cron', JOB) ? this.registry.getCronJob(JOB).nextDate().toJSDate() : undefined;
  }

  private async run(): Promise<void> {
    try {
      await this.commands.execute(new TakeBackupCommand('schedule'));
    } catch (error) {
      if (error instanceof BackupInProgressError) this.logger.warn(`scheduled backup skipped: ${error.message}`);
      else this.logger.error(`scheduled backup could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
