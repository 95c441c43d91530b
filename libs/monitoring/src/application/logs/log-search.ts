import { type LogRecord, severityOf } from '../../domain/log-record.js';
import { type LogFile, readLogFile } from '../../infrastructure/log-files.js';

export interface LogFilter {
  /** This level and the more severe ones (`warn` = warnings and errors); unparsed lines only without it. */
  level?: string;
  context?: string;
  requestId?: string;
  /** Appears anywhere in the line (case-insensitive): message, fields, a stack trace. */
  text?: string;
  from?: Date;
  to?: Date;
}

/** A line found, with where it is: the cursor of the next page points just before it. */
export interface FoundLine extends LogRecord {
  file: string;
  line: number;
}

/** Where a page ended: the file and line of its last (oldest) line. */
export interface LogCursor {
  file: string;
  line: number;
}

export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.file, cursor.line])).toString('base64url');
}

/** Undefined for anything that is not a cursor this API gave out. */
export function decodeCursor(text: string): LogCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [file, line] = value as [unknown, unknown];
    if (typeof file !== 'string' || !Number.isInteger(line) || (line as number) < 1) return undefined;
    return { file, line: line as number };
  } catch {
    return undefined;
  }
}

export function matches(record: LogRecord, raw: string, filter: LogFilter): boolean {
  if (filter.level !== undefined && (record.level === 'unparsed' || severityOf(record.level) > severityOf(filter.level))) return false;
  if (filter.context !== undefined && record.context !== filter.context) return false;
  if (filter.requestId !== undefined && record.requestId !== filter.requestId) return false;
  if (filter.from !== undefined && (record.at === null || record.at < filter.from)) return false;
  if (filter.to !== undefined && (record.at === null || record.at >= filter.to)) return false;
  if (filter.text !== undefined && !raw.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}

/** The same file across pages: the current file gets `.gz` appended when it is rotated. */
function sameFile(name: string, cursorFile: string): boolean {
  return name === cursorFile || name === `${cursorFile}.gz`;
}

/** The last `need` lines of one file that match, oldest first, stopping before line `before` when given. */
async function lastMatches(file: LogFile, filter: LogFilter, need: number, before: number | undefined): Promise<FoundLine[]> {
  const kept: FoundLine[] = [];
  for await (const { line, raw, record } of readLogFile(file)) {
    if (before !== undefined && line >= before) break;
    if (!matches(record, raw, filter)) continue;
    kept.push({ ...record, file: file.name, line });
    if (kept.length > need) kept.shift();
  }
  return kept;
}

/**
 * One page of matching lines, newest first, across the files (given oldest first). Each file is
 * read forward as a stream keeping only the last `limit` matches before the cursor, so memory
 * stays O(limit) whatever the size of the logs; files last written before `from` are not opened.
 */
export async function searchLogs(
  files: readonly LogFile[],
  filter: LogFilter,
  limit: number,
  cursor?: LogCursor,
): Promise<{ items: FoundLine[]; next: LogCursor | null }> {
  const items: FoundLine[] = [];
  let started = cursor === undefined;
  for (const file of files.toReversed()) {
    const cursorHere = cursor !== undefined && sameFile(file.name, cursor.file);
    if (!started && !cursorHere) continue;
    started = true;
    if (filter.from && file.modifiedMs < filter.from.getTime()) break;
    const kept = await lastMatches(file, filter, limit - items.length, cursorHere ? cursor.line : undefined);
    items.push(...kept.toReversed());
    if (items.length >= limit) {
      const last = items[items.length - 1];
      return { items, next: { file: last.file, line: last.line } };
    }
  }
  // A cursor whose file is gone (deleted by retention) has nothing older to show.
  return { items, next: null };
}
