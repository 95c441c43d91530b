import { errorFingerprint, messagePattern } from '../../domain/error-fingerprint.js';
import type { LogRecord } from '../../domain/log-record.js';
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

/** What a summary gathers as it reads the lines, one at a time. */
class SummaryTally {
  private readonly hours = new Map<string, HourCount>();
  private readonly patterns = new Map<string, TopMessage>();
  private slowest: SlowRequest[] = [];
  lines = 0;
  unparsed = 0;

  add(record: LogRecord & { at: Date }): void {
    this.lines++;
    this.countHour(record);
    this.countPattern(record);
    const durationMs = record.fields.durationMs;
    if (typeof durationMs === 'number') this.considerSlow(record, durationMs);
  }

  summary(from: Date, to: Date): LogSummary {
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      lines: this.lines,
      unparsed: this.unparsed,
      byHour: [...this.hours.values()].toSorted(
        (a, b) => a.hour.localeCompare(b.hour) || a.level.localeCompare(b.level) || (a.context ?? '').localeCompare(b.context ?? ''),
      ),
      topMessages: [...this.patterns.values()].toSorted((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern)).slice(0, TOP),
      slowestRequests: this.slowest,
    };
  }

  private countHour(record: LogRecord & { at: Date }): void {
    const hour = new Date(Math.floor(record.at.getTime() / HOUR_MS) * HOUR_MS).toISOString();
    const key = `${hour}\u0000${record.level}\u0000${record.context ?? ''}`;
    const counted = this.hours.get(key) ?? { hour, level: record.level, context: record.context, count: 0 };
    counted.count++;
    this.hours.set(key, counted);
  }

  private countPattern(record: LogRecord): void {
    const pattern = messagePattern(record.message);
    const key = errorFingerprint(record.level, record.context, pattern);
    const top = this.patterns.get(key);
    if (top) top.count++;
    else if (this.patterns.size < MAX_PATTERNS)
      this.patterns.set(key, { level: record.level, context: record.context, pattern, count: 1, sample: record.message.slice(0, 500) });
  }

  private considerSlow(record: LogRecord & { at: Date }, durationMs: number): void {
    if (this.slowest.length >= TOP && durationMs <= this.slowest[this.slowest.length - 1].durationMs) return;
    const { method, route, status } = record.fields;
    this.slowest.push({
      at: record.at.toISOString(),
      method: typeof method === 'string' ? method : null,
      route: typeof route === 'string' ? route : null,
      status: typeof status === 'number' ? status : null,
      durationMs,
      requestId: record.requestId,
    });
    this.slowest = this.slowest.toSorted((a, b) => b.durationMs - a.durationMs).slice(0, TOP);
  }
}

/** Counts by level and context per hour, the most frequent messages and the slowest requests over [from, to). */
export async function summarizeLogs(files: readonly LogFile[], from: Date, to: Date): Promise<LogSummary> {
  const tally = new SummaryTally();
  for (const file of files) {
    if (file.modifiedMs < from.getTime()) continue;
    for await (const { record } of readLogFile(file)) {
      if (record.level === 'unparsed') tally.unparsed++;
      else if (record.at && record.at >= from && record.at < to) tally.add({ ...record, at: record.at });
    }
  }
  return tally.summary(from, to);
}
