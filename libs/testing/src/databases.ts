import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDriver = 'sqlite' | 'postgres';

/** Both drivers: every persistence test runs once per entry (`describe.each(TEST_DRIVERS)`). */
export const TEST_DRIVERS: TestDriver[] = ['sqlite', 'postgres'];

/** A fresh, empty database on the run's throwaway PostgreSQL (given as `inject('postgresUrl')`). */
export async function createPostgresDatabase(serverUrl: string, prefix = 'td'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A temp directory removed by the returned `remove()`. */
export async function tempDir(prefix = 'tradedesk-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A DATABASE_URL for a fresh database of the given driver (SQLite in `dir`, PostgreSQL on the test server). */
export async function freshDatabaseUrl(driver: TestDriver, dir: string, postgresServerUrl: string): Promise<string> {
  return driver === 'sqlite' ? `sqlite:${join(dir, 'tradedesk.sqlite')}` : createPostgresDatabase(postgresServerUrl);
}
