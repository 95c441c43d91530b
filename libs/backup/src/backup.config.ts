import { join } from 'node:path';
import { ConfigError, type EnvReader } from '@tradedesk/shared';
import { validateCronExpression } from 'cron';
import type { RetentionPolicy } from './domain/retention.js';

/** The backup context's configuration namespace (BACKUP_*), validated with every other one at start. */
export class BackupConfig {
  constructor(
    /** BACKUP_DIR: where backup files and their manifests go. */
    readonly dir: string,
    /** BACKUP_CRON: when the scheduled backup runs; undefined (`off`): never on its own. */
    readonly cron: string | undefined,
    /** BACKUP_TIMEZONE: the zone of BACKUP_CRON and of the days, weeks and months retention counts in. */
    readonly timeZone: string,
    readonly keep: RetentionPolicy,
    /** BACKUP_MIN_FREE_MB: a backup that would leave less free space than this is not started. */
    readonly minFreeBytes: number,
    /** BACKUP_ENCRYPT: backup files sealed with AES-256-GCM under a key derived from the master key. */
    readonly encrypt: boolean,
    /** BACKUP_MAX_AGE_HOURS: /api/health warns when the newest verified backup is older. */
    readonly maxAgeHours: number,
    /** BACKUP_PG_BIN_DIR: where pg_dump, pg_restore and psql are; undefined: PATH, then /usr/lib/postgresql/<newest>/bin. */
    readonly pgBinDir: string | undefined,
  ) {}

  static fromEnv(env: EnvReader): BackupConfig {
    const dataDir = env.path('DATA_DIR', './data');
    const cron = env.text('BACKUP_CRON') ?? '0 3 * * *';
    if (cron.toLowerCase() !== 'off') {
      const checked = validateCronExpression(cron);
      if (!checked.valid)
        throw new ConfigError(
          'BACKUP_CRON',
          `must be a cron expression such as "0 3 * * *" (minute hour day month weekday) or off (got "${cron}")`,
        );
    }
    const timeZone = env.text('BACKUP_TIMEZONE') ?? 'Asia/Seoul';
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      throw new ConfigError('BACKUP_TIMEZONE', `is not an IANA time zone such as Asia/Seoul (got "${timeZone}")`);
    }
    const encrypt = (env.text('BACKUP_ENCRYPT') ?? 'off').toLowerCase();
    if (encrypt !== 'on' && encrypt !== 'off') throw new ConfigError('BACKUP_ENCRYPT', `must be on or off (got "${encrypt}")`);
    const keep = {
      daily: env.int('BACKUP_KEEP_DAILY', 7, 0, 3650),
      weekly: env.int('BACKUP_KEEP_WEEKLY', 4, 0, 520),
      monthly: env.int('BACKUP_KEEP_MONTHLY', 6, 0, 1200),
    };
    if (keep.daily + keep.weekly + keep.monthly === 0)
      throw new ConfigError('BACKUP_KEEP_DAILY', 'BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY and BACKUP_KEEP_MONTHLY cannot all be 0');
    return new BackupConfig(
      env.path('BACKUP_DIR', join(dataDir, 'backups')),
      cron.toLowerCase() === 'off' ? undefined : cron,
      timeZone,
      keep,
      env.int('BACKUP_MIN_FREE_MB', 256, 0, 10_000_000) * 1024 * 1024,
      encrypt === 'on',
      env.int('BACKUP_MAX_AGE_HOURS', 26, 1, 24 * 365),
      env.text('BACKUP_PG_BIN_DIR') === undefined ? undefined : env.path('BACKUP_PG_BIN_DIR', ''),
    );
  }
}
