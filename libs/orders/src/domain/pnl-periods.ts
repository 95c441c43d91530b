import { wallClockAt } from '@tradedesk/shared';

/**
 * The periods realized PnL is summed over, as a person in a time zone counts them: today since
 * local midnight, this week since Monday's midnight (ISO weeks, as in Korea), this month since the
 * first's midnight. Zones are IANA names (`Asia/Seoul`); daylight-saving days are as long as they are.
 */
export const PNL_PERIODS = ['today', 'week', 'month'] as const;
export type PnlPeriod = (typeof PNL_PERIODS)[number];

const DAY_MS = 86_400_000;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function localParts(instant: Date, timeZone: string): LocalDate & { weekday: number; wallMs: number } {
  const { year, month, day, hour, minute, second, weekday } = wallClockAt(instant, timeZone);
  return { year, month, day, weekday, wallMs: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** The zone's offset from UTC at an instant, in ms (Seoul: +9 h), whole seconds. */
function offsetAt(instantMs: number, timeZone: string): number {
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return localParts(new Date(wholeSeconds), timeZone).wallMs - wholeSeconds;
}

/**
 * The first instant of a local date: its midnight, or where a daylight-saving jump skips midnight,
 * the first wall time that exists that day.
 */
export function startOfLocalDate(date: LocalDate, timeZone: string): Date {
  const wallMidnight = Date.UTC(date.year, date.month - 1, date.day);
  // Two passes: the offset at the guess may differ from the offset at the answer across a jump.
  let guess = wallMidnight - offsetAt(wallMidnight, timeZone);
  guess = wallMidnight - offsetAt(guess, timeZone);
  const local = localParts(new Date(guess), timeZone);
  // A skipped midnight lands the guess on the day before: step forward by the gap.
  if (local.day !== date.day) guess += DAY_MS - (local.wallMs - Date.UTC(local.year, local.month - 1, local.day));
  return new Date(guess);
}

/** When each period began, for the clock at `now` in `timeZone`. */
export function periodStarts(now: Date, timeZone: string): Record<PnlPeriod, Date> {
  const today = localParts(now, timeZone);
  const monday = new Date(Date.UTC(today.year, today.month - 1, today.day) - today.weekday * DAY_MS);
  return {
    today: startOfLocalDate(today, timeZone),
    week: startOfLocalDate({ year: monday.getUTCFullYear(), month: monday.getUTCMonth() + 1, day: monday.getUTCDate() }, timeZone),
    month: startOfLocalDate({ year: today.year, month: today.month, day: 1 }, timeZone),
  };
}
