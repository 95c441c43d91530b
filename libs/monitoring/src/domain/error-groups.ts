import { errorFingerprint, messagePattern } from './error-fingerprint.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const ERROR_HISTORY_MS = 24 * HOUR_MS;

/** An error or warning as the monitor takes it from the log. */
export interface LoggedProblem {
  level: 'error' | 'warn';
  message: string;
  context: string | null;
  requestId: string | null;
  at: Date;
}

export interface ErrorGroupView {
  fingerprint: string;
  level: 'error' | 'warn';
  context: string | null;
  /** The message with ids and numbers taken out. */
  pattern: string;
  lastHour: number;
  lastDay: number;
  firstSeen: Date;
  lastSeen: Date;
  /** The latest occurrence as it was logged, with the request it belongs to. */
  sample: { message: string; requestId: string | null; at: Date };
}

interface Group extends Omit<ErrorGroupView, 'lastHour' | 'lastDay'> {
  /** Occurrences per minute (minute index since the epoch → count), for the last 24 h. */
  minutes: Map<number, number>;
}

/**
 * Errors and warnings grouped by fingerprint, with per-minute counts over the last 24 h: what
 * GET /api/errors shows. Bounded: at most `maxGroups` groups (the least recently seen goes first),
 * and a group not seen for 24 h is forgotten.
 */
export class ErrorGroups {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly maxGroups = 1000) {}

  get size(): number {
    return this.groups.size;
  }

  record(problem: LoggedProblem): string {
    const pattern = messagePattern(problem.message);
    const fingerprint = errorFingerprint(problem.level, problem.context, pattern);
    let group = this.groups.get(fingerprint);
    if (!group) {
      if (this.groups.size >= this.maxGroups) this.evictLeastRecent();
      group = {
        fingerprint,
        level: problem.level,
        context: problem.context,
        pattern,
        firstSeen: problem.at,
        lastSeen: problem.at,
        sample: { message: problem.message, requestId: problem.requestId, at: problem.at },
        minutes: new Map(),
      };
      this.groups.set(fingerprint, group);
    }
    if (problem.at < group.firstSeen) group.firstSeen = problem.at;
    if (problem.at >= group.lastSeen) {
      group.lastSeen = problem.at;
      group.sample = { message: problem.message, requestId: problem.requestId, at: problem.at };
    }
    const minute = Math.floor(problem.at.getTime() / MINUTE_MS);
    group.minutes.set(minute, (group.minutes.get(minute) ?? 0) + 1);
    return fingerprint;
  }

  /** Every group seen in the last 24 h, most recently seen first. */
  list(now = new Date()): ErrorGroupView[] {
    this.forgetOlderThan(now);
    const hourAgo = Math.floor((now.getTime() - HOUR_MS) / MINUTE_MS);
    const views: ErrorGroupView[] = [];
    for (const { minutes, ...group } of this.groups.values()) {
      let lastHour = 0;
      let lastDay = 0;
      for (const [minute, count] of minutes) {
        lastDay += count;
        if (minute > hourAgo) lastHour += count;
      }
      views.push({ ...group, lastHour, lastDay });
    }
    return views.sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.fingerprint.localeCompare(b.fingerprint));
  }

  /** Drops counts older than 24 h, and groups left with none. */
  forgetOlderThan(now: Date): void {
    const oldest = Math.floor((now.getTime() - ERROR_HISTORY_MS) / MINUTE_MS);
    for (const [fingerprint, group] of this.groups) {
      for (const minute of group.minutes.keys()) if (minute <= oldest) group.minutes.delete(minute);
      if (group.minutes.size === 0) this.groups.delete(fingerprint);
    }
  }

  private evictLeastRecent(): void {
    let oldest: Group | undefined;
    for (const group of this.groups.values()) if (!oldest || group.lastSeen < oldest.lastSeen) oldest = group;
    if (oldest) this.groups.delete(oldest.fingerprint);
  }
}
