import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthRegistry } from '@tradedesk/shared';
import { BackupJobs } from '../application/backup-jobs.js';
import { BackupSchedule } from '../application/backup-schedule.js';
import { BackupConfig } from '../backup.config.js';
import { newestVerified } from '../domain/backup-manifest.js';

/**
 * `backup` in /api/health: down (which makes tradedesk `degraded`, never unready) when the newest
 * verified backup is older than BACKUP_MAX_AGE_HOURS — or when there has been none for that long
 * since this process started (a fresh installation is not in trouble before its first night).
 */
@Injectable()
export class BackupHealthContributor implements OnModuleInit {
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: HealthRegistry,
    private readonly indicator: HealthIndicatorService,
    private readonly jobs: BackupJobs,
    private readonly schedule: BackupSchedule,
    private readonly config: BackupConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'backup', readiness: false, degradable: true, check: () => Promise.resolve(this.check()) });
  }

  check(now = Date.now()): HealthIndicatorResult {
    const session = this.indicator.check('backup');
    const maxAgeMs = this.config.maxAgeHours * 3600_000;
    const newest = newestVerified(this.jobs.list());
    const facts = {
      lastVerifiedBackupId: newest?.id ?? null,
      lastVerifiedBackupAt: newest?.startedAt ?? null,
      running: this.jobs.runningId ?? null,
      nextScheduledAt: this.schedule.nextRun()?.toISOString() ?? null,
    };
    if (newest) {
      const ageHours = (now - Date.parse(newest.startedAt)) / 3600_000;
      if (ageHours * 3600_000 <= maxAgeMs) return session.up(facts);
      return session.down({
        ...facts,
        message: `the newest verified backup is ${Math.floor(ageHours)} h old (more than BACKUP_MAX_AGE_HOURS=${this.config.maxAgeHours})`,
      });
    }
    if (now - this.startedAt <= maxAgeMs) return session.up({ ...facts, message: 'no verified backup yet' });
    return session.down({ ...facts, message: `no verified backup for ${this.config.maxAgeHours} h` });
  }
}
