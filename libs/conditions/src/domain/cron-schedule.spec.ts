import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronSchedule, CronScheduleError } from './cron-schedule.js';

const at = (iso: string) => new Date(iso);

/** Cron expressions of 5 or 6 fields built from the forms users write: *, n, a-b, a,b and steps. */
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((n) => `*/${n}`),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => (a === b ? String(a) : `${Math.min(a, b)}-${Math.max(a, b)}`)),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 3 }).map((xs) => xs.join(',')),
  );
const cron = fc
  .tuple(fc.option(field(0, 59), { nil: undefined }), field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6))
  .map(([second, ...rest]) => [...(second === undefined ? [] : [second]), ...rest].join(' '));
const instant = fc.date({ min: at('2020-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z'), noInvalidDate: true });

describe('CronSchedule', () => {
  it('reads five fields at minute precision and six with a leading seconds field, in UTC unless a zone is given', () => {
    expect(CronSchedule.parse('*/5 * * * *').next(at('2026-11-26T12:00:00Z'))?.toISOString()).toBe('2026-11-26T12:05:00.000Z');
    expect(CronSchedule.parse('*/2 * * * * *').next(at('2026-11-26T12:00:00.500Z'))?.toISOString()).toBe('2026-11-26T12:00:02.000Z');
    expect(CronSchedule.parse('0 9 * * *').next(at('2026-11-26T12:00:00Z'))?.toISOString()).toBe('2026-11-27T09:00:00.000Z');
    expect(CronSchedule.parse('0 9 * * *', 'Asia/Seoul').next(at('2026-11-26T12:00:00Z'))?.toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(CronSchedule.parse('@hourly').next(at('2026-11-26T12:00:00Z'))?.toISOString()).toBe('2026-11-26T13:00:00.000Z');
  });

  it('latestIn is the last occurrence in (after, atOrBefore], inclusive of its end', () => {
    const everyTen = CronSchedule.parse('*/10 * * * * *');
    expect(everyTen.latestIn(at('2026-11-26T12:00:00Z'), at('2026-11-26T12:00:35Z'))?.toISOString()).toBe('2026-11-26T12:00:30.000Z');
    expect(everyTen.latestIn(at('2026-11-26T12:00:00Z'), at('2026-11-26T12:00:10Z'))?.toISOString()).toBe('2026-11-26T12:00:10.000Z');
    expect(everyTen.latestIn(at('2026-11-26T12:00:00Z'), at('2026-11-26T12:00:09.999Z'))).toBeUndefined();
    expect(everyTen.latestIn(at('2026-11-26T12:00:10Z'), at('2026-11-26T12:00:10Z'))).toBeUndefined();
  });

  it('refuses what it cannot run the same way after a restart', () => {
    for (const bad of ['', '* * * *', '* * * * * * *', '61 * * * *', '*/0 * * * *', '5-1 * * * *', '0 0 30 2 *', '@reboot', 'H * * * *']) {
      expect(() => CronSchedule.parse(bad), bad).toThrow(CronScheduleError);
    }
    expect(() => CronSchedule.parse('0 9 * * *', 'Mars/Olympus')).toThrow(/time zone/);
  });

  it('the next occurrence is strictly after its reference, and nothing occurs in between', () => {
    fc.assert(
      fc.property(cron, instant, (expression, t) => {
        const schedule = CronSchedule.parse(expression);
        const next = schedule.next(t)!;
        expect(next.getTime()).toBeGreaterThan(t.getTime());
        expect(next.getUTCMilliseconds()).toBe(0);
        // `next` is itself an occurrence, and no occurrence lies in (t, next).
        expect(schedule.latestIn(t, next)?.getTime()).toBe(next.getTime());
        expect(schedule.latestIn(t, new Date(next.getTime() - 1))).toBeUndefined();
        // Chained, occurrences strictly increase.
        expect(schedule.next(next)!.getTime()).toBeGreaterThan(next.getTime());
      }),
      { numRuns: 150 },
    );
  });
});
