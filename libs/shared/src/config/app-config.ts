import { isAbsolute, join, resolve } from 'node:path';

/**
 * Typed configuration, one class per namespace, read once from the environment at start.
 * Every rule failure throws a ConfigError naming the variable, so the process can exit with
 * one clear line before it listens (api.md: "Bad configuration").
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export class ServerConfig {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly dataDir: string,
    /** Comma-separated allowed origins; empty = CORS off. */
    readonly corsOrigins: string[],
    /** Requests per client address per minute, across all routes. */
    readonly throttlePerMinute: number,
    /** Wrong bearer tokens per client address per minute before it is answered 429. */
    readonly authFailuresPerMinute: number,
  ) {}
}

export type DatabaseKind = 'sqlite' | 'postgres';

export class DatabaseConfig {
  constructor(
    readonly kind: DatabaseKind,
    /** postgres:// URL, or the SQLite file path. */
    readonly url: string,
    readonly poolSize: number,
  ) {}

  get sqlitePath(): string {
    if (this.kind !== 'sqlite') throw new Error('not a SQLite configuration');
    return this.url;
  }
}

export class CacheConfig {
  constructor(readonly redisUrl: string | undefined) {}
}

export class SecurityConfig {
  constructor(
    /** Plain API token from API_TOKEN, if given; otherwise one is generated and stored hashed. */
    readonly apiToken: string | undefined,
    /** 32 raw bytes from MASTER_KEY, if given; otherwise generated into DATA_DIR. */
    readonly masterKey: Buffer | undefined,
  ) {}
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

export class LoggingConfig {
  constructor(
    readonly level: LogLevel,
    readonly dir: string,
    readonly maxSize: string,
    readonly retentionDays: number,
  ) {}
}

/**
 * A context's configuration namespace: one class, injected by that class, whose static `fromEnv`
 * reads and validates the context's own variables (ConfigError naming the variable). A context
 * defines it beside its module and exports it; the app that composes the contexts (apps/api) hands
 * every namespace to AppConfig.fromEnv, so all of them are validated before anything starts.
 */
export type ConfigNamespace<T extends object = object> = (abstract new (...args: never[]) => T) & { fromEnv(env: EnvReader): T };

/** The platform's namespaces (server, database, cache, security, logging) and those of the contexts. */
export class AppConfig {
  constructor(
    readonly server: ServerConfig,
    readonly database: DatabaseConfig,
    readonly cache: CacheConfig,
    readonly security: SecurityConfig,
    readonly logging: LoggingConfig,
    private readonly contexts: ReadonlyMap<ConfigNamespace, object> = new Map(),
  ) {}

  static fromEnv(env: Env = process.env, cwd = process.cwd(), namespaces: readonly ConfigNamespace[] = []): AppConfig {
    const reader = new EnvReader(env, cwd);
    const dataDir = reader.path('DATA_DIR', './data');
    const server = new ServerConfig(
      reader.int('PORT', 3000, 0, 65535),
      host(env, 'HOST', '127.0.0.1'),
      dataDir,
      list(env.CORS_ORIGINS),
      reader.int('THROTTLE_PER_MINUTE', 6000, 1, 10_000_000),
      reader.int('AUTH_FAILURES_PER_MINUTE', 20, 1, 10_000_000),
    );
    const shared = [server, database(reader, dataDir), cache(env), security(env), logging(reader, dataDir)] as const;
    return new AppConfig(...shared, new Map(namespaces.map((namespace) => [namespace, namespace.fromEnv(reader)])));
  }

  /** A context's namespace, as read at start. */
  get<T extends object>(namespace: ConfigNamespace<T>): T {
    const value = this.contexts.get(namespace);
    if (!value) throw new Error(`configuration namespace ${namespace.name} was not read at start: pass it to AppConfig.fromEnv`);
    return value as T;
  }

  /** Every context namespace read at start, with its value (ConfigModule provides each by its class). */
  get namespaces(): ReadonlyMap<ConfigNamespace, object> {
    return this.contexts;
  }
}

/** Reads variables from the environment by the rules every namespace shares; each failure names its variable. */
export class EnvReader {
  constructor(
    private readonly env: Env,
    /** What relative paths are resolved against. */
    readonly cwd: string,
  ) {}

  /** The trimmed value; unset and empty are both undefined. */
  text(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
    }
    return Number(raw);
  }

  /** An absolute path: a relative one is resolved against cwd. */
  path(name: string, fallback: string): string {
    return absolute(this.cwd, this.text(name) ?? fallback);
  }

  /** An http(s):// URL without its trailing slashes; `problem` says what it must be. */
  httpUrl(name: string, problem: string): string | undefined {
    const url = this.text(name);
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new ConfigError(name, problem);
    return url === undefined ? undefined : withoutTrailingSlashes(url);
  }
}

/** `url` without the slashes it ends with (a loop: a regex for this backtracks on long runs of slashes). */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function host(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(raw)) throw new ConfigError(name, `must be a host name or IP address (got "${raw}")`);
  return raw;
}

function database(env: EnvReader, dataDir: string): DatabaseConfig {
  const raw = env.text('DATABASE_URL');
  const poolSize = env.int('DATABASE_POOL_SIZE', 20, 1, 500);
  if (!raw) return new DatabaseConfig('sqlite', join(dataDir, 'tradedesk.sqlite'), 1);
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'a sqlite: URL needs a file path, e.g. sqlite:./data/tradedesk.sqlite');
    return new DatabaseConfig('sqlite', absolute(process.cwd(), path), 1);
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      const url = new URL(raw);
      if (!url.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return new DatabaseConfig('postgres', raw, poolSize);
  }
  const scheme = raw.split(':')[0];
  throw new ConfigError('DATABASE_URL', `unsupported scheme "${scheme}:" (use postgres://… or sqlite:<file>)`);
}

function cache(env: Env): CacheConfig {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return new CacheConfig(undefined);
  if (!/^rediss?:\/\/[^/]/.test(raw)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return new CacheConfig(raw);
}

function security(env: Env): SecurityConfig {
  const token = env.API_TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < 16) throw new ConfigError('API_TOKEN', 'must be at least 16 characters long');
  const rawKey = env.MASTER_KEY?.trim() || undefined;
  return new SecurityConfig(token, rawKey === undefined ? undefined : parseMasterKey(rawKey, 'MASTER_KEY'));
}

/** A 32-byte key written as 64 hex digits or as base64. */
export function parseMasterKey(raw: string, variable: string): Buffer {
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) key = Buffer.from(raw, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) key = Buffer.from(raw, 'base64');
  if (!key || key.length !== 32) {
    throw new ConfigError(
      variable,
      `must be a 32-byte key as 64 hex digits or base64 (got ${key ? key.length : 'an unreadable'} byte${key?.length === 1 ? '' : 's'})`,
    );
  }
  return key;
}

function logging(env: EnvReader, dataDir: string): LoggingConfig {
  const level = (env.text('LOG_LEVEL') ?? 'info').toLowerCase();
  const levels: LogLevel[] = ['error', 'warn', 'info', 'debug', 'verbose'];
  if (!levels.includes(level as LogLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')} (got "${level}")`);
  const maxSize = env.text('LOG_MAX_SIZE') ?? '20m';
  if (!/^\d+[kmg]?$/i.test(maxSize)) throw new ConfigError('LOG_MAX_SIZE', `must be a size such as 20m (got "${maxSize}")`);
  return new LoggingConfig(
    level as LogLevel,
    absolute(process.cwd(), env.text('LOG_DIR') ?? join(dataDir, 'logs')),
    maxSize,
    env.int('LOG_RETENTION_DAYS', 14, 1, 3650),
  );
}
