import { describe, expect, it } from 'vitest';
import { isTimeZone, wallClockAt } from './time-zone.js';

describe('time zones', () => {
  it('knows IANA zones and refuses anything else', () => {
    expect(isTimeZone('Asia/Seoul')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('reads the wall clock of a zone, Monday as weekday 0', () => {
    // 2026-12-06T15:30:05Z is Monday 00:30:05 in Seoul (UTC+9) and still Sunday in UTC.
    expect(wallClockAt(new Date('2026-12-06T15:30:05Z'), 'Asia/Seoul')).toEqual({
      year: 2026,
      month: 12,
      day: 7,
      hour: 0,
      minute: 30,
      second: 5,
      weekday: 0,
    });
    expect(wallClockAt(new Date('2026-12-06T15:30:05Z'), 'UTC').weekday).toBe(6);
  });
});
