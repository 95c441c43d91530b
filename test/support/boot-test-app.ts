import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, createWinstonLogger } from '@tradedesk/shared';
import { freshDatabaseUrl, TEST_API_TOKEN, TEST_MASTER_KEY, tempDir, type TestDriver } from '@tradedesk/testing';
import { WinstonModule } from 'nest-winston';
import { inject } from 'vitest';
// The e2e harness boots exactly what `npm start` boots; only the configuration differs.
import { startApp } from '../../apps/api/src/bootstrap.js';
import { loadConfig } from '../../apps/api/src/config/load-config.js';

export interface BootTestAppOptions {
  database: TestDriver;
  /** Extra or overriding environment (e.g. `{ SIM: 'on', REDIS_URL: inject('redisUrl') }`). */
  env?: Record<string, string>;
  /** Reuse a data directory (restart scenarios); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Reuse a database (restart scenarios); a fresh one otherwise. */
  databaseUrl?: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  /** http://127.0.0.1:PORT — routes are under `${url}/api`. */
  url: string;
  token: string;
  config: AppConfig;
  dataDir: string;
  databaseUrl: string;
  /** `Authorization` header value for supertest / fetch. */
  auth: string;
  /** Stops the app; removes the temp data dir unless it was given. */
  close(): Promise<void>;
}

/** Boots the whole API on a random loopback port against a fresh database of the chosen driver. */
export async function bootTestApp(options: BootTestAppOptions): Promise<TestApp> {
  const dir = options.dataDir ? undefined : await tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  const databaseUrl = options.databaseUrl ?? (await freshDatabaseUrl(options.database, dataDir, inject('postgresUrl')));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    API_TOKEN: TEST_API_TOKEN,
    MASTER_KEY: TEST_MASTER_KEY,
    LOG_LEVEL: 'warn',
    SIM: 'off',
    SIM_PORT: '0',
    THROTTLE_PER_MINUTE: '1000000',
    // The summary is due at 09:00 Asia/Seoul and caught up at start: a run after that hour would
    // find one more notification (and email) than it made. Specs of the summary set it themselves.
    NOTIFY_DAILY_SUMMARY: 'off',
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = WinstonModule.createLogger({ instance: createWinstonLogger(config.logging, { console: false }) });
  const { app, url } = await startApp(config, logger);
  return {
    app,
    url,
    token: env.API_TOKEN,
    config,
    dataDir,
    databaseUrl,
    auth: `Bearer ${env.API_TOKEN}`,
    close: async () => {
      await app.close();
      await dir?.remove();
    },
  };
}
