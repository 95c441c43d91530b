import { isTimeZone } from '@tradedesk/shared';
import { type CronExpression, CronExpressionParser } from 'cron-parser';

/** Why a `time.every` rule was refused (the parser turns it into a 400 naming the path). */
export class CronScheduleError extends Error {}

const FIVE_OR_SIX_FIELDS = /^\S+(\s+\S+){4,5}$/;
// `H` picks a random slot unless seeded: a restart would move the rule, so it is refused.
const HASHED_FIELD = /(^|[\s,])H/;

// Compiling costs about 0.2 ms; rules repeat (every engine load parses the stored trees again).
const compiledRules = new Map<string, CronSchedule>();
const MAX_COMPILED_RULES = 1_000;

/**
 * A recurring time rule (`time.every`, ADR 0301): five cron fields (minute precision) or six with a
 * leading seconds field, or a predefined alias (`@hourly`, `@daily`…), read in a time zone (UTC unless
 * given). Occurrences are whole seconds. Backed by cron-parser; one compiled expression per distinct
 * rule, shared (every query resets it first, and queries are synchronous).
 */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    readonly tz: string,
    private readonly compiled: CronExpression,
  ) {}

  /** Throws a CronScheduleError saying what is wrong. */
  static parse(expression: string, tz = 'UTC'): CronSchedule {
    const rule = expression.trim();
    const key = `${tz} ${rule}`;
    const known = compiledRules.get(key);
    if (known) return known;
    if (!rule.startsWith('@') && !FIVE_OR_SIX_FIELDS.test(rule))
      throw new CronScheduleError(
        'must have 5 fields (minute hour day-of-month month day-of-week), 6 with a leading seconds field, or be an alias such as @hourly',
      );
    if (HASHED_FIELD.test(rule)) throw new CronScheduleError('hashed (H) fields are not supported');
    if (!isTimeZone(tz)) throw new CronScheduleError(`unknown time zone "${tz}" (an IANA name such as Asia/Seoul)`);
    let compiled: CronExpression;
    try {
      compiled = CronExpressionParser.parse(rule, { tz, currentDate: new Date() });
    } catch (error) {
      throw new CronScheduleError(`is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`);
    }
    const schedule = new CronSchedule(rule, tz, compiled);
    if (!schedule.next(new Date())) throw new CronScheduleError('never occurs');
    if (compiledRules.size >= MAX_COMPILED_RULES) compiledRules.clear();
    compiledRules.set(key, schedule);
    return schedule;
  }

  /** The first occurrence strictly after `after`, or undefined when there is none. */
  next(after: Date): Date | undefined {
    try {
      this.compiled.reset(after);
      return this.compiled.next().toDate();
    } catch {
      return undefined;
    }
  }

  /** The latest occurrence in (`after`, `atOrBefore`], or undefined when none falls in it. */
  latestIn(after: Date, atOrBefore: Date): Date | undefined {
    if (atOrBefore.getTime() <= after.getTime()) return undefined;
    try {
      // prev() is strictly before its reference: one millisecond later includes `atOrBefore` itself.
      this.compiled.reset(new Date(atOrBefore.getTime() + 1));
      const latest = this.compiled.prev().toDate();
      return latest.getTime() > after.getTime() ? latest : undefined;
    } catch {
      return undefined;
    }
  }
}
