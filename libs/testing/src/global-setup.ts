import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PostgresServer } from './servers/postgres-server.js';
import { RedisServer } from './servers/redis-server.js';

const root = join(import.meta.dirname, '../../..');

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
    /** The built entry point of this test run. */
    appMain: string;
  }
}

/**
 * Starts one throwaway PostgreSQL and one Redis for the whole test run, unless
 * TEST_DATABASE_URL / TEST_REDIS_URL point at servers that already run.
 * Tests read them with `inject('postgresUrl')` / `inject('redisUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Process and crash specs run the built entry point (dist/), exactly what `npm start` runs.
  const build = `.test-build/${process.pid}`;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), `--out=${build}`], { cwd: root, stdio: 'ignore' });
  project.provide('appMain', join(root, build, 'apps/api/src/main.js'));
  const teardown: Array<() => Promise<void>> = [async () => rm(join(root, build), { recursive: true, force: true })];
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
