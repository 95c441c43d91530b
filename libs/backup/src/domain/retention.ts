import { wallClockAt } from '@tradedesk/shared';
import type { BackupStatus } from './backup-manifest.js';

/** How many backups retention keeps per period: the newest of each of the last N days, weeks and months. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetainedBackup {
  id: string;
  status: BackupStatus;
  startedAt: Date;
}

/** A failed backup's record (its file is gone already) is shown this long, so the user can see what went wrong. */
const FAILED_RECORD_DAYS = 7;

/**
 * Which backups to delete, grandfather-father-son style: of the verified backups, the newest of
 * each of the last `daily` days, `weekly` ISO weeks and `monthly` months (counted in `timeZone`,
 * periods without a backup not counted) are kept, and always the newest one. A failed backup's
 * record goes once it is a week old and a newer backup was verified. Running backups are never
 * touched.
 */
export function backupsToRemove(backups: readonly RetainedBackup[], policy: RetentionPolicy, timeZone: string, now: Date): string[] {
  const verified = backups.filter((b) => b.status === 'verified').sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const keep = new Set<string>();
  if (verified[0]) keep.add(verified[0].id);
  const local = localCalendar(timeZone);
  const periods: Array<[number, (d: Date) => string]> = [
    [policy.daily, (d) => local(d).day],
    [policy.weekly, (d) => local(d).isoWeek],
    [policy.monthly, (d) => local(d).month],
  ];
  for (const [count, periodOf] of periods) {
    const seen = new Set<string>();
    for (const backup of verified) {
      if (seen.size >= count) break;
      const period = periodOf(backup.startedAt);
      if (seen.has(period)) continue;
      seen.add(period);
      keep.add(backup.id);
    }
  }
  const newestVerifiedAt = verified[0]?.startedAt.getTime() ?? Number.POSITIVE_INFINITY;
  const failedExpiry = now.getTime() - FAILED_RECORD_DAYS * 24 * 3600_000;
  return backups
    .filter((b) => {
      if (b.status === 'verified') return !keep.has(b.id);
      if (b.status === 'failed') return b.startedAt.getTime() < failedExpiry && b.startedAt.getTime() < newestVerifiedAt;
      return false;
    })
    .map((b) => b.id);
}

/** The local day (`2026-03-01`), ISO week (`2026-W09`) and month (`2026-03`) of an instant in a zone. */
function localCalendar(timeZone: string): (at: Date) => { day: string; isoWeek: string; month: string } {
  const two = (n: number) => String(n).padStart(2, '0');
  return (at) => {
    const { year, month, day } = wallClockAt(at, timeZone);
    return { day: `${year}-${two(month)}-${two(day)}`, isoWeek: isoWeekOf(year, month, day), month: `${year}-${two(month)}` };
  };
}

function isoWeekOf(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  // The Thursday of this week decides its ISO year and week.
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
