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

export type SimSwitch = 'on' | 'off' | 'auto';

export class SimConfig {
  constructor(
    /** `auto`: on while no `live` or `testnet` account exists; paper accounts do not count. */
    readonly mode: SimSwitch,
    readonly port: number,
    readonly url: string | undefined,
    readonly seed: number,
  ) {}
}

export class PaperConfig {
  constructor(
    /**
     * Where paper accounts read public market data: an exchange emulator's URL (its `/binance`,
     * `/upbit` prefixes) for rehearsals and tests; unset = the running sim-mode emulator, else the
     * real exchanges.
     */
    readonly marketDataUrl: string | undefined,
  ) {}
}

export class SchedulerConfig {
  constructor(
    readonly tickMs: number,
    /** Follow-up poll of open orders. */
    readonly orderPollMs: number,
  ) {}
}

export class AppConfig {
  /**
   * The environment it was read from, for the configuration namespaces of contexts that validate
   * their own (notifications): not enumerable, so printing the config never prints a secret of it.
   */
  declare readonly environment: Readonly<Env>;

  constructor(
    readonly server: ServerConfig,
    readonly database: DatabaseConfig,
    readonly cache: CacheConfig,
    readonly security: SecurityConfig,
    readonly logging: LoggingConfig,
    readonly sim: SimConfig,
    readonly scheduler: SchedulerConfig,
    readonly paper: PaperConfig,
  ) {}

  static fromEnv(env: Env = process.env, cwd = process.cwd()): AppConfig {
    const dataDir = absolute(cwd, env.DATA_DIR?.trim() || './data');
    const port = int(env, 'PORT', 3000, 0, 65535);
    const server = new ServerConfig(
      port,
      host(env, 'HOST', '127.0.0.1'),
      dataDir,
      list(env.CORS_ORIGINS),
      int(env, 'THROTTLE_PER_MINUTE', 6000, 1, 10_000_000),
      int(env, 'AUTH_FAILURES_PER_MINUTE', 20, 1, 10_000_000),
    );
    const config = new AppConfig(
      server,
      database(env, dataDir),
      cache(env),
      security(env),
      logging(env, dataDir),
      sim(env),
      new SchedulerConfig(int(env, 'TICK_MS', 1000, 50, 3_600_000), int(env, 'ORDER_POLL_MS', 2000, 50, 3_600_000)),
      paper(env),
    );
    Object.defineProperty(config, 'environment', { value: Object.freeze({ ...env }), enumerable: false });
    return config;
  }
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

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function host(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(raw)) throw new ConfigError(name, `must be a host name or IP address (got "${raw}")`);
  return raw;
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL?.trim();
  const poolSize = int(env, 'DATABASE_POOL_SIZE', 20, 1, 500);
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

function logging(env: Env, dataDir: string): LoggingConfig {
  const level = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  const levels: LogLevel[] = ['error', 'warn', 'info', 'debug', 'verbose'];
  if (!levels.includes(level as LogLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')} (got "${level}")`);
  const maxSize = env.LOG_MAX_SIZE?.trim() || '20m';
  if (!/^\d+[kmg]?$/i.test(maxSize)) throw new ConfigError('LOG_MAX_SIZE', `must be a size such as 20m (got "${maxSize}")`);
  return new LoggingConfig(
    level as LogLevel,
    absolute(process.cwd(), env.LOG_DIR?.trim() || join(dataDir, 'logs')),
    maxSize,
    int(env, 'LOG_RETENTION_DAYS', 14, 1, 3650),
  );
}

function paper(env: Env): PaperConfig {
  const url = env.PAPER_MARKET_DATA_URL?.trim() || undefined;
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
    throw new ConfigError(
      'PAPER_MARKET_DATA_URL',
      'must be an http:// URL of an exchange emulator (unset: the sim-mode emulator when it runs, else the real exchanges)',
    );
  return new PaperConfig(url?.replace(/\/+$/, ''));
}

function sim(env: Env): SimConfig {
  const raw = (env.SIM?.trim() || 'auto').toLowerCase();
  const modes: Record<string, SimSwitch> = { on: 'on', true: 'on', '1': 'on', off: 'off', false: 'off', '0': 'off', auto: 'auto' };
  const mode = modes[raw];
  if (!mode) throw new ConfigError('SIM', `must be on, off or auto (got "${raw}")`);
  const url = env.SIM_URL?.trim() || undefined;
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new ConfigError('SIM_URL', 'must be an http:// URL of a running emulator');
  return new SimConfig(mode, int(env, 'SIM_PORT', 7070, 0, 65535), url?.replace(/\/+$/, ''), int(env, 'SIM_SEED', 42, 0, 2 ** 31));
}
