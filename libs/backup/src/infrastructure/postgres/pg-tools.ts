import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { redactString } from '@tradedesk/shared';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/**
 * Finds pg_dump, pg_restore and psql: BACKUP_PG_BIN_DIR when set, else PATH, else Debian's
 * versioned directories (/usr/lib/postgresql/<version>/bin, newest first) — where the postgresql
 * packages put them without linking them onto PATH.
 */
export function findPgTool(tool: PgTool, binDir?: string): string {
  if (binDir) {
    const path = join(binDir, tool);
    if (!existsSync(path)) throw new Error(`${tool} not found in BACKUP_PG_BIN_DIR (${binDir})`);
    return path;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(debian, v, 'bin', tool))) return join(debian, v, 'bin', tool);
  }
  throw new Error(
    `${tool} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client) of the server's major version or newer, or set BACKUP_PG_BIN_DIR`,
  );
}

/**
 * The libpq environment of a postgres:// URL. Tools get the password this way, never on their
 * command line, where any user of the machine could read it in the process list.
 */
export function libpqEnv(databaseUrl: string, database?: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
    PGPORT: url.port || '5432',
    PGDATABASE: database ?? decodeURIComponent(url.pathname.replace(/^\//, '')),
    PGAPPNAME: 'tradedesk-backup',
    PGCONNECT_TIMEOUT: '10',
  };
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const host = url.searchParams.get('host');
  if (host) env.PGHOST = host;
  for (const [param, variable] of [
    ['sslmode', 'PGSSLMODE'],
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
  ] as const) {
    const value = url.searchParams.get(param);
    if (value) env[variable] = value;
  }
  return env;
}

/** A postgres:// URL for another database on the same server, with the same credentials. */
export function databaseUrlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export interface PgToolRun {
  /** What the tool writes to stdout, when the caller reads it (pg_dump's dump). */
  stdout: Readable;
  /** Resolves when the tool exited 0; rejects with its last stderr lines otherwise. */
  done: Promise<void>;
}

/**
 * Runs a PostgreSQL client tool with the connection in its environment only. `stdin` is piped in
 * when given. An abort kills it. Its stderr, which names objects and servers but never the
 * password, ends up in the error (redacted all the same).
 */
export function runPgTool(
  path: string,
  args: string[],
  options: { env: Record<string, string>; stdin?: Readable; signal?: AbortSignal },
): PgToolRun {
  const child = spawn(path, args, {
    env: { PATH: process.env.PATH ?? '', LANG: 'C', ...options.env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  let stderr = '';
  // Both are pipes (stdio above): never null.
  const [stdout, errors] = [child.stdout!, child.stderr!];
  errors.setEncoding('utf8');
  errors.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  if (options.stdin && child.stdin) pipeInto(options.stdin, child.stdin);
  const name = path.split('/').pop() ?? path;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(redactString(`${name}: ${error.message}`))));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const lines = stderr.trim().split('\n').slice(-3).join(' / ');
      reject(new Error(redactString(`${name} ${signal ? `was stopped (${signal})` : `exited with ${code}`}${lines ? `: ${lines}` : ''}`)));
    });
  });
  return { stdout, done };
}

/** Pipes a stream into a tool's stdin; a tool that exits early (EPIPE) reports through its exit code, not a crash. */
function pipeInto(source: Readable, stdin: Writable): void {
  stdin.on('error', () => undefined);
  source.on('error', (error) => stdin.destroy(error));
  source.pipe(stdin);
}

/** `pg_dump (PostgreSQL) 15.8` → 15. */
export function majorVersionOf(versionText: string): number | undefined {
  const match = /(\d+)(?:\.\d+)?/.exec(versionText);
  return match ? Number(match[1]) : undefined;
}
