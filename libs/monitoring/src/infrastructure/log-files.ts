import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { LOG_FILE_PREFIX } from '@tradedesk/shared';
import { type LogRecord, parseLogLine } from '../domain/log-record.js';

/** One of tradedesk's log files: the current one, or a rotated one (gzipped once closed). */
export interface LogFile {
  name: string;
  path: string;
  gzipped: boolean;
  /** Last write (ms since the epoch): a file last written before a range starts holds nothing of it. */
  modifiedMs: number;
}

/** `tradedesk-2026-12-07.log`, `tradedesk-2026-12-07.log.3` (the 4th of that day, after size rotations), each maybe `.gz`. */
const NAME = new RegExp(`^${LOG_FILE_PREFIX}-(\\d{4}-\\d{2}-\\d{2})\\.log(?:\\.(\\d+))?(\\.gz)?$`);

/** The log files of LOG_DIR, oldest first: by day, then by rotation number (a day's first file has none), then by last write. */
export async function listLogFiles(dir: string): Promise<LogFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: Array<LogFile & { day: string; part: number }> = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (!info.isFile()) continue;
      files.push({ name, path, gzipped: match[3] !== undefined, modifiedMs: info.mtimeMs, day: match[1], part: Number(match[2] ?? 0) });
    } catch {
      // Removed by the rotation's retention between readdir and stat.
    }
  }
  files.sort((a, b) => a.day.localeCompare(b.day) || a.part - b.part || a.modifiedMs - b.modifiedMs);
  return files.map(({ day: _day, part: _part, ...file }) => file);
}

/**
 * The records of one file in order, read as a stream (a rotated file through gunzip): never the
 * whole file in memory. `line` numbers count every line from 1, blank ones included, so a cursor
 * names a line that stays where it is. A file that disappears while read (retention) ends early.
 */
export async function* readLogFile(file: LogFile): AsyncGenerator<{ line: number; raw: string; record: LogRecord }> {
  const source = createReadStream(file.path);
  const input = file.gzipped ? source.pipe(createGunzip()) : source;
  // A truncated .gz (a rotation still compressing) ends the read of that file, not the analysis.
  const ended = new Promise<void>((resolve) => {
    source.on('error', () => resolve());
    input.on('error', () => resolve());
  });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    const iterator = lines[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), ended.then(() => ({ done: true, value: undefined }) as const)]);
      if (next.done) break;
      line++;
      const record = parseLogLine(next.value);
      if (record) yield { line, raw: next.value, record };
    }
  } finally {
    lines.close();
    source.destroy();
  }
}
