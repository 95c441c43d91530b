import { describe, expect, it } from 'vitest';
import { backupsToRemove, type RetainedBackup } from './retention.js';

const SEOUL = 'Asia/Seoul';
const policy = { daily: 7, weekly: 4, monthly: 6 };

/** One verified backup a day at 03:00 Seoul (18:00 UTC the day before), for `days` days up to 2026-12-07. */
function dailyBackups(days: number): RetainedBackup[] {
  const last = Date.UTC(2026, 11, 6, 18, 0, 0);
  return Array.from({ length: days }, (_, i) => {
    const startedAt = new Date(last - i * 86_400_000);
    return { id: startedAt.toISOString(), status: 'verified' as const, startedAt };
  });
}

describe('retention (7 daily, 4 weekly, 6 monthly)', () => {
  const now = new Date(Date.UTC(2026, 11, 6, 19, 0, 0));

  it('keeps the last 7 days, the newest of 4 ISO weeks and of 6 months, and deletes the rest', () => {
    const backups = dailyBackups(400);
    const removed = new Set(backupsToRemove(backups, policy, SEOUL, now));
    const kept = backups.filter((b) => !removed.has(b.id)).map((b) => b.id);
    // Seoul days 2026-12-07 … 12-01, then the newest of weeks W48 and W47 (W49 and W50 are already kept), then of months 11 … 07 (December is in the days already).
    expect(kept).toEqual([
      ...Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2026, 11, 6 - i, 18)).toISOString()),
      new Date(Date.UTC(2026, 10, 29, 18)).toISOString(), // Mon 2026-11-30 Seoul, the newest of November
      new Date(Date.UTC(2026, 10, 28, 18)).toISOString(), // Sun 2026-11-29 Seoul, W48
      new Date(Date.UTC(2026, 10, 21, 18)).toISOString(), // Sun 2026-11-22 Seoul, W47
      new Date(Date.UTC(2026, 9, 30, 18)).toISOString(), // 2026-10-31 Seoul
      new Date(Date.UTC(2026, 8, 29, 18)).toISOString(), // 2026-09-30
      new Date(Date.UTC(2026, 7, 30, 18)).toISOString(), // 2026-08-31
      new Date(Date.UTC(2026, 6, 30, 18)).toISOString(), // 2026-07-31
    ]);
    expect(removed.size).toBe(400 - kept.length);
  });

  it('never deletes a running backup or the newest verified one, and keeps a failed record for a week', () => {
    const verified = dailyBackups(1)[0];
    const running: RetainedBackup = { id: 'running', status: 'running', startedAt: new Date(Date.UTC(2020, 0, 1)) };
    const oldFailure: RetainedBackup = { id: 'old-failure', status: 'failed', startedAt: new Date(Date.UTC(2026, 10, 1)) };
    const recentFailure: RetainedBackup = { id: 'recent-failure', status: 'failed', startedAt: new Date(Date.UTC(2026, 11, 4)) };
    const removed = backupsToRemove([verified, running, oldFailure, recentFailure], { daily: 0, weekly: 0, monthly: 1 }, SEOUL, now);
    expect(removed).toEqual(['old-failure']);
  });
});
