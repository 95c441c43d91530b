import type { AppConfig } from './app-config.js';

/** A start-up failure whose message is already the one line an operator needs (cause; what to do). */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

interface ErrorFacts {
  name?: string;
  message?: string;
  code?: string | number;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
  cause?: unknown;
  errors?: unknown[];
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL']);
const NOT_PERMITTED = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Turns whatever stopped the start into one line naming the cause and what to do (api.md:
 * "one line naming the variable and what was wrong"). Errors are searched through their causes
 * (TypeORM and pg wrap the socket error); an error nothing here knows keeps its first line, and
 * the log keeps the stack. Never prints a credential: PostgreSQL is named by host and port.
 */
export function describeStartupFailure(error: unknown, config?: AppConfig): string {
  for (const facts of chain(error)) {
    const line = describeOne(facts, config);
    if (line) return line;
  }
  const facts = (error ?? {}) as ErrorFacts;
  const first = String(facts.message ?? error).split('\n')[0];
  return `failed to start: ${facts.name ?? 'Error'}: ${first} (the log has the details)`;
}

function* chain(error: unknown): Generator<ErrorFacts> {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const facts = next as ErrorFacts;
    yield facts;
    if (facts.cause) queue.push(facts.cause);
    if (Array.isArray(facts.errors)) queue.push(...facts.errors);
  }
}

/** What the messages below need to know about the configuration, with a word for what is unknown. */
interface Setting {
  config: AppConfig | undefined;
  /** "the user running tradedesk (uid N)": who needs the permission. */
  user: string;
}

type PostgresTarget = ReturnType<typeof postgresTarget>;

function describeOne(e: ErrorFacts, config: AppConfig | undefined): string | undefined {
  if (e.name === 'ConfigError' || e.name === 'SqliteLockedError' || e.name === 'StartupError') return e.message;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (!code) return undefined;
  const setting: Setting = { config, user: `the user running tradedesk${uid()}` };
  if (code.startsWith('SQLITE_')) return describeSqlite(code, setting);
  const database = config?.database;
  const postgres = database?.kind === 'postgres' ? postgresTarget(database.url) : undefined;
  // A failed listen whose code has no message of its own goes on to the file-system messages.
  const listen = e.syscall === 'listen' || e.syscall === 'bind' ? describeListen(e, code, setting) : undefined;
  if (listen) return listen;
  if (postgres && isConnectionCode(code, e)) return describePostgresUnreachable(code, postgres);
  if (postgres && /^[0-9A-Z]{5}$/.test(code)) return describePostgresRefusal(code, postgres);
  return describeFileSystem(e, code, setting);
}

function describeSqlite(code: string, { config, user }: Setting): string | undefined {
  const database = config?.database;
  const file = (database?.kind === 'sqlite' ? database.url : undefined) ?? 'the SQLite database';
  if (code.startsWith('SQLITE_READONLY'))
    return `DATABASE_URL: the SQLite database ${file} is read-only (${code}): make the file, its -wal/-shm files and its directory writable by ${user}`;
  if (code.startsWith('SQLITE_CANTOPEN'))
    return `DATABASE_URL: cannot open the SQLite database ${file} (${code}): check that its directory exists and is writable by ${user}`;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC')
    return `no space left to write the SQLite database ${file} (${code}): free disk space on its file system and start again`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return `DATABASE_URL: ${file} is not a SQLite database or is damaged (${code}): restore it from a backup or point DATABASE_URL at the right file`;
  if (code.startsWith('SQLITE_BUSY'))
    return `DATABASE_URL: ${file} is locked by another program (${code}): close it (an open sqlite3 shell, a backup tool) and start again`;
  return undefined;
}

function describeListen(e: ErrorFacts, code: string, { config, user }: Setting): string | undefined {
  const host = e.address ?? config?.server.host;
  const where = `${host}:${e.port ?? config?.server.port}`;
  if (code === 'EADDRINUSE') return `PORT: ${where} is already in use by another process: stop it or choose another PORT`;
  if (code === 'EADDRNOTAVAIL') return `HOST: ${host} is not an address of this machine: set HOST to one of its addresses`;
  if (code === 'EACCES') return `PORT: ${where} needs privileges ${user} does not have: choose a PORT above 1023`;
  return undefined;
}

function describePostgresUnreachable(code: string, postgres: PostgresTarget): string {
  if (code === 'ECONNREFUSED')
    return `DATABASE_URL: PostgreSQL at ${postgres.hostPort} refused the connection (ECONNREFUSED): start PostgreSQL or check the host and port in DATABASE_URL`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `DATABASE_URL: the host ${postgres.host} is unknown (${code}): check the host in DATABASE_URL`;
  return `DATABASE_URL: PostgreSQL at ${postgres.hostPort} did not answer (${code}): check that it runs and that the network lets tradedesk reach it`;
}

/** PostgreSQL's SQLSTATE codes a start can fail on, each with what the operator should do. */
const POSTGRES_REFUSALS: Record<string, (postgres: PostgresTarget, code: string) => string> = {
  '28P01': loginRefused,
  '28000': loginRefused,
  '3D000': (p) =>
    `DATABASE_URL: the database "${p.database}" does not exist on ${p.hostPort} (3D000): create it (createdb ${p.database}) or fix DATABASE_URL`,
  '42501': (p) =>
    `DATABASE_URL: user "${p.user}" may not create or change tables in "${p.database}" (42501): make it the owner of the database`,
  '53300': (p) =>
    `DATABASE_URL: PostgreSQL at ${p.hostPort} has no connection left (53300): lower DATABASE_POOL_SIZE or raise max_connections`,
  '57P03': (p) =>
    `DATABASE_URL: PostgreSQL at ${p.hostPort} is still starting up (57P03): start tradedesk again once it accepts connections`,
};

function loginRefused(p: PostgresTarget, code: string): string {
  return `DATABASE_URL: PostgreSQL at ${p.hostPort} refused the login of user "${p.user}" (${code}): check the user and password in DATABASE_URL`;
}

function describePostgresRefusal(code: string, postgres: PostgresTarget): string | undefined {
  return Object.hasOwn(POSTGRES_REFUSALS, code) ? POSTGRES_REFUSALS[code](postgres, code) : undefined;
}

function describeFileSystem(e: ErrorFacts, code: string, { config, user }: Setting): string | undefined {
  if (NO_SPACE.has(code))
    return `no space left to write ${e.path ?? 'a file'} (${code}): free disk space on the file system of ${e.path ?? config?.server.dataDir ?? 'DATA_DIR'} and start again`;
  if (NOT_PERMITTED.has(code) && e.path) {
    const variable = variableFor(e.path, config);
    return `${variable}: cannot ${e.syscall === 'open' || e.syscall === 'read' ? 'use' : 'write'} ${e.path} (${code}): make it writable by ${user}, or set ${variable} to a directory that is`;
  }
  return undefined;
}

function isConnectionCode(code: string, e: ErrorFacts): boolean {
  return (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) ||
    (e.message ?? '').includes('timeout')
  );
}

function postgresTarget(url: string): { host: string; hostPort: string; user: string; database: string } {
  const parsed = new URL(url);
  const host = parsed.hostname;
  return {
    host,
    hostPort: `${host}:${parsed.port || '5432'}`,
    user: decodeURIComponent(parsed.username) || 'postgres',
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
  };
}

function variableFor(path: string, config: AppConfig | undefined): string {
  if (config && path.startsWith(config.logging.dir)) return 'LOG_DIR';
  if (config?.database.kind === 'sqlite' && path.startsWith(config.database.url)) return 'DATABASE_URL';
  return 'DATA_DIR';
}

function uid(): string {
  const value = process.getuid?.();
  return value === undefined ? '' : ` (uid ${value})`;
}
