import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigError, type EnvReader } from './app-config.js';

function fails(env: Record<string, string>): ConfigError {
  try {
    AppConfig.fromEnv(env, '/srv/td');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('AppConfig.fromEnv', () => {
  it('has the defaults of api.md', () => {
    const c = AppConfig.fromEnv({}, '/srv/td');
    expect(c.server).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: '/srv/td/data', corsOrigins: [] });
    expect(c.database).toMatchObject({ kind: 'sqlite', url: '/srv/td/data/tradedesk.sqlite' });
    expect(c.cache.redisUrl).toBeUndefined();
    expect(c.security).toMatchObject({ apiToken: undefined, masterKey: undefined });
    expect(c.logging).toMatchObject({ level: 'info', dir: '/srv/td/data/logs' });
    expect(c.namespaces.size).toBe(0);
  });

  it('reads every namespace', () => {
    const c = AppConfig.fromEnv(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        DATA_DIR: '/var/lib/td',
        DATABASE_URL: 'postgres://u:p@db:5432/td',
        REDIS_URL: 'redis://cache:6379',
        API_TOKEN: 'a-long-enough-token',
        MASTER_KEY: 'ab'.repeat(32),
        LOG_LEVEL: 'DEBUG',
        CORS_ORIGINS: 'http://a.example, http://b.example',
      },
      '/srv/td',
    );
    expect(c.server).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/td',
      corsOrigins: ['http://a.example', 'http://b.example'],
    });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgres://u:p@db:5432/td' });
    expect(c.cache.redisUrl).toBe('redis://cache:6379');
    expect(c.security.masterKey).toEqual(Buffer.alloc(32, 0xab));
    expect(c.logging.level).toBe('debug');
  });

  it('accepts a base64 master key', () => {
    const key = Buffer.alloc(32, 7);
    expect(AppConfig.fromEnv({ MASTER_KEY: key.toString('base64') }).security.masterKey).toEqual(key);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', /integer/],
    [{ PORT: '70000' }, 'PORT', /65535/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /unsupported scheme "mysql:"/],
    [{ DATABASE_URL: 'postgres://' }, 'DATABASE_URL', /not a valid/],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL', /file path/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\//],
    [{ API_TOKEN: 'short' }, 'API_TOKEN', /16 characters/],
    [{ MASTER_KEY: 'abcd' }, 'MASTER_KEY', /32-byte/],
    [{ MASTER_KEY: 'ab'.repeat(31) }, 'MASTER_KEY', /32-byte/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ LOG_MAX_SIZE: 'big' }, 'LOG_MAX_SIZE', /size/],
    [{ HOST: 'a b' }, 'HOST', /host/],
  ])('rejects %j naming the variable', (env, variable, problem) => {
    const error = fails(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toMatch(problem);
  });

  it('never echoes a rejected master key', () => {
    const secret = 'c'.repeat(40);
    expect(fails({ MASTER_KEY: secret }).message).not.toContain(secret);
  });

  describe('context namespaces', () => {
    class WidgetConfig {
      constructor(
        readonly pollMs: number,
        readonly feedUrl: string | undefined,
      ) {}

      static fromEnv(env: EnvReader): WidgetConfig {
        return new WidgetConfig(env.int('WIDGET_POLL_MS', 500, 50, 60_000), env.httpUrl('WIDGET_FEED_URL', 'must be an http:// URL'));
      }
    }

    it('reads each namespace given, by the shared rules, and hands it out by its class', () => {
      const c = AppConfig.fromEnv({ WIDGET_POLL_MS: '250', WIDGET_FEED_URL: 'http://feed.example//' }, '/srv/td', [WidgetConfig]);
      expect(c.get(WidgetConfig)).toEqual(new WidgetConfig(250, 'http://feed.example'));
      expect([...c.namespaces.keys()]).toEqual([WidgetConfig]);
      expect(AppConfig.fromEnv({}, '/srv/td', [WidgetConfig]).get(WidgetConfig)).toEqual(new WidgetConfig(500, undefined));
    });

    it('rejects a bad value of a context variable naming it, like a platform one', () => {
      expect(() => AppConfig.fromEnv({ WIDGET_POLL_MS: '10' }, '/srv/td', [WidgetConfig])).toThrow(
        new ConfigError('WIDGET_POLL_MS', 'must be an integer from 50 to 60000 (got "10")'),
      );
      expect(() => AppConfig.fromEnv({ WIDGET_FEED_URL: 'feed.example' }, '/srv/td', [WidgetConfig])).toThrow(/^WIDGET_FEED_URL: must be/);
    });

    it('refuses to hand out a namespace that was not read at start', () => {
      expect(() => AppConfig.fromEnv({}, '/srv/td').get(WidgetConfig)).toThrow(/WidgetConfig was not read at start/);
    });
  });
});
