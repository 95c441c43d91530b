import { describe, expect, it } from 'vitest';
import { periodStarts, startOfLocalDate } from './pnl-periods.js';

const iso = (d: Date) => d.toISOString();

describe('periodStarts', () => {
  it('counts days, ISO weeks and months from local midnight in Seoul (UTC+9, no daylight saving)', () => {
    // Tuesday 2026-12-08 08:30 KST = Monday 2026-12-07 23:30 UTC.
    const starts = periodStarts(new Date('2026-12-07T23:30:00Z'), 'Asia/Seoul');
    expect(iso(starts.today)).toBe('2026-12-07T15:00:00.000Z');
    expect(iso(starts.week)).toBe('2026-12-06T15:00:00.000Z');
    expect(iso(starts.month)).toBe('2026-11-30T15:00:00.000Z');
  });

  it('a Sunday belongs to the week that began on the Monday before', () => {
    // Sunday 2026-12-13 23:59 KST.
    const starts = periodStarts(new Date('2026-12-13T14:59:00Z'), 'Asia/Seoul');
    expect(iso(starts.week)).toBe('2026-12-06T15:00:00.000Z');
    expect(iso(starts.today)).toBe('2026-12-12T15:00:00.000Z');
  });

  it('a week that began in the previous month starts before the month', () => {
    // Thursday 2026-10-01 12:00 UTC: the week began Monday 2026-09-28.
    const starts = periodStarts(new Date('2026-10-01T12:00:00Z'), 'UTC');
    expect(iso(starts.week)).toBe('2026-09-28T00:00:00.000Z');
    expect(iso(starts.month)).toBe('2026-10-01T00:00:00.000Z');
    expect(starts.week.getTime()).toBeLessThan(starts.month.getTime());
  });

  it('daylight saving: New York days start at their own midnight on both sides of a change', () => {
    // 2026-03-08 is the spring-forward day in New York (02:00 EST → 03:00 EDT).
    const after = periodStarts(new Date('2026-03-08T15:00:00Z'), 'America/New_York');
    expect(iso(after.today)).toBe('2026-03-08T05:00:00.000Z');
    const nextDay = periodStarts(new Date('2026-03-09T15:00:00Z'), 'America/New_York');
    expect(iso(nextDay.today)).toBe('2026-03-09T04:00:00.000Z');
    // The month began in winter time.
    expect(iso(nextDay.month)).toBe('2026-03-01T05:00:00.000Z');
  });

  it('a midnight skipped by daylight saving starts the day at the first wall time that exists', () => {
    // Santiago springs forward at 00:00 → 01:00 on 2026-09-06 (UTC−4 → UTC−3).
    expect(iso(startOfLocalDate({ year: 2026, month: 9, day: 6 }, 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
  });
});
