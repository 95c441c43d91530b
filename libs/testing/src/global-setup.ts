import type { TestProject } from 'vitest/node';
import { PostgresServer } from './servers/postgres-server.js';
import { RedisServer } from './servers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

/**
 * Starts one throwaway PostgreSQL and one Redis for the whole test run, unless
 * TEST_DATABASE_URL / TEST_REDIS_URL point at servers that already run.
 * Tests read them with `inject('postgresUrl')` / `inject('redisUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardown: Array<() => Promise<void>> = [];
  let postgresUrl = process.env.TEST_DATABASE_URL;
  if (!postgresUrl) {
    const server = await PostgresServer.create();
    teardown.push(() => server.destroy());
    postgresUrl = server.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const server = await RedisServer.create();
    teardown.push(() => server.destroy());
    redisUrl = server.url;
  }
  project.provide('postgresUrl', postgresUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await Promise.all(teardown.map((t) => t()));
  };
}
