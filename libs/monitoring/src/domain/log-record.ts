/** One line of a log file as the analysis reads it. */
export interface LogRecord {
  /** Null for a line without a readable `timestamp`. */
  at: Date | null;
  /** `error`, `warn`, `info`, `debug`, `verbose`; `unparsed` for a line that is not a JSON log entry. */
  level: string;
  message: string;
  context: string | null;
  /** The request (or command, or tick) the line was written for. */
  requestId: string | null;
  /** The line's other fields (JSON lines only). */
  fields: Record<string, unknown>;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** How severe a level is: lower is more severe; `unparsed` ranks after every level. */
export function severityOf(level: string): number {
  const i = (LOG_LEVELS as readonly string[]).indexOf(level);
  return i === -1 ? LOG_LEVELS.length : i;
}

const KNOWN = new Set(['level', 'message', 'timestamp', 'context', 'correlationId', 'requestId']);

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads one line: a JSON entry as winston writes it, or anything else (a stack trace printed by a
 * library, a truncated line, a line from another program) as an `unparsed` record holding the raw
 * text — never an error. Blank lines are skipped (null).
 */
export function parseLogLine(line: string): LogRecord | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  if (trimmed.startsWith('{')) {
    try {
      const entry = JSON.parse(trimmed) as unknown;
      if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof (entry as { level?: unknown }).level === 'string')
        return fromEntry(entry as Record<string, unknown>);
    } catch {
      // Not JSON after all: kept as an unparsed line below.
    }
  }
  return { at: null, level: 'unparsed', message: trimmed, context: null, requestId: null, fields: {} };
}

function fromEntry(entry: Record<string, unknown>): LogRecord {
  const at = typeof entry.timestamp === 'string' ? new Date(entry.timestamp) : null;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!KNOWN.has(key)) fields[key] = value;
  return {
    at: at && !Number.isNaN(at.getTime()) ? at : null,
    level: String(entry.level),
    message: text(entry.message) ?? '',
    context: text(entry.context),
    requestId: text(entry.correlationId ?? entry.requestId),
    fields,
  };
}
