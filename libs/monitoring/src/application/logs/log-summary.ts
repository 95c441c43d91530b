import { errorFingerprint, messagePattern } from '../../domain/error-fingerprint.js';
import { type LogFile, readLogFile } from '../../infrastructure/log-files.js';

const HOUR_MS = 3600_000;
const TOP = 10;
/** Distinct message patterns counted at most; beyond, new ones are not (the top ones are long known by then). */
const MAX_PATTERNS = 20_000;

export interface HourCount {
  /** The hour's start (UTC, ISO). */
  hour: string;
  level: string;
  context: string | null;
  count: number;
}

export interface TopMessage {
  level: string;
  context: string | null;
  pattern: string;
  count: number;
  sample: string;
}

export interface SlowRequest {
  at: string;
  method: string | null;
  route: string | null;
  status: number | null;
  durationMs: number;
  requestId: string | null;
}

export interface LogSummary {
  from: string;
  to: string;
  lines: number;
  /** Lines that were not JSON log entries. */
  unparsed: number;
  byHour: HourCount[];
  topMessages: TopMessage[];
  slowestRequests: SlowRequest[];
}

/** Counts by level and context per hour, the most frequent messages and the slowest requests over [from, to). */
export async function summarizeLogs(files: readonly LogFile[], from: Date, to: Date): Promise<LogSummary> {
  const hours = new Map<string, HourCount>();
  const patterns = new Map<string, TopMessage>();
  let slowest: SlowRequest[] = [];
  let lines = 0;
  let unparsed = 0;
  for (const file of files) {
    if (file.modifiedMs < from.getTime()) continue;
    for await (const { record } of readLogFile(file)) {
      if (record.level === 'unparsed') {
        unparsed++;
        continue;
      }
      if (!record.at || record.at < from || record.at >= to) continue;
      lines++;
      const hour = new Date(Math.floor(record.at.getTime() / HOUR_MS) * HOUR_MS).toISOString();
      const hourKey = `${hour}\u0000${record.level}\u0000${record.context ?? ''}`;
      const counted = hours.get(hourKey) ?? { hour, level: record.level, context: record.context, count: 0 };
      counted.count++;
      hours.set(hourKey, counted);
      const pattern = messagePattern(record.message);
      const key = errorFingerprint(record.level, record.context, pattern);
      const top = patterns.get(key);
      if (top) top.count++;
      else if (patterns.size < MAX_PATTERNS)
        patterns.set(key, { level: record.level, context: record.context, pattern, count: 1, sample: record.message.slice(0, 500) });
      const durationMs = record.fields.durationMs;
      if (typeof durationMs === 'number' && (slowest.length < TOP || durationMs > slowest[slowest.length - 1].durationMs)) {
        slowest.push({
          at: record.at.toISOString(),
          method: typeof record.fields.method === 'string' ? record.fields.method : null,
          route: typeof record.fields.route === 'string' ? record.fields.route : null,
          status: typeof record.fields.status === 'number' ? record.fields.status : null,
          durationMs,
          requestId: record.requestId,
        });
        slowest = slowest.sort((a, b) => b.durationMs - a.durationMs).slice(0, TOP);
      }
    }
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    lines,
    unparsed,
    byHour: [...hours.values()].sort(
      (a, b) => a.hour.localeCompare(b.hour) || a.level.localeCompare(b.level) || (a.context ?? '').localeCompare(b.context ?? ''),
    ),
    topMessages: [...patterns.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern)).slice(0, TOP),
    slowestRequests: slowest,
  };
}
