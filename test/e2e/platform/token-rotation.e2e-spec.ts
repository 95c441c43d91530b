/* eslint-disable @typescript-eslint/no-explicit-any */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess, freshDatabaseUrl, tempDir, TEST_DRIVERS, TEST_MASTER_KEY } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const TOKEN = /tradedesk API token \(shown once, stored only as a hash\): (td_[A-Za-z0-9_-]+)/;
const NEW_TOKEN = /new tradedesk API token \(shown once, stored only as a hash\): (td_[A-Za-z0-9_-]+)/;

// Issue 12: `npm run token:rotate` prints a new token once; the old one is refused at once, by a
// server that keeps running (it reads the hash from the database on every request).
describe.each(TEST_DRIVERS)('API token rotation (%s)', (database) => {
  let dir: { path: string; remove: () => Promise<void> };
  let env: Record<string, string>;
  let server: AppProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    env = {
      DATA_DIR: dir.path,
      DATABASE_URL: await freshDatabaseUrl(database, dir.path, inject('postgresUrl')),
      MASTER_KEY: TEST_MASTER_KEY,
    };
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  const status = async (url: string, token: string, path = '/api/health') =>
    (await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).status;

  it('refuses the old token at once in a running server, accepts the new one, and records it', async () => {
    server = AppProcess.spawn(env);
    const url = await server.started();
    const original = TOKEN.exec(server.stdout)?.[1];
    expect(original).toBeDefined();
    expect(await status(url, original!)).toBe(200);

    const rotated = await runCli('token-rotate', env);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const token = NEW_TOKEN.exec(rotated.stdout)?.[1];
    expect(token).toBeDefined();
    expect(token).not.toBe(original);
    expect(rotated.stdout.split(token!)).toHaveLength(2); // printed exactly once
    expect(rotated.stdout).toContain('the old token is refused from now on');

    // The very next requests, without a restart.
    const refused = await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${original}` } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).code).toBe('AUTH.INVALID_TOKEN');
    expect(await status(url, token!)).toBe(200);

    const audit = (await (
      await fetch(`${url}/api/audit?action=api_token.rotated`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as any;
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({ action: 'api_token.rotated', actor: 'cli', subject: null, requestId: null });
    expect(JSON.stringify(audit)).not.toContain(token!);

    // A second rotation retires the first new token just the same.
    const again = await runCli('token-rotate', env);
    const third = NEW_TOKEN.exec(again.stdout)?.[1];
    expect(third).toBeDefined();
    expect(await status(url, token!)).toBe(401);
    expect(await status(url, third!)).toBe(200);

    // Across a restart too; and no token is in the server's log files.
    await server.stop();
    server = AppProcess.spawn(env);
    const restarted = await server.started();
    expect(TOKEN.exec(server.stdout)).toBeNull();
    expect(await status(restarted, original!)).toBe(401);
    expect(await status(restarted, third!)).toBe(200);
    await server.stop();
    server = undefined;
    const logDir = join(dir.path, 'logs');
    const logs = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [original!, token!, third!]) expect(logs).not.toContain(secret);
  });

  it('refuses to rotate a token that comes from API_TOKEN, from its own environment or from a running instance’s', async () => {
    const before = await runCli('token-rotate', { ...env, API_TOKEN: 'an-operator-chosen-token-0001' });
    expect(before.code).toBe(1);
    expect(before.stdout).toBe('');
    expect(before.stderr).toMatch(/^token:rotate: API_TOKEN: tradedesk takes its token from the API_TOKEN variable here/);
    expect(before.stderr).not.toContain('an-operator-chosen-token-0001');

    // A server started with API_TOKEN leaves word in the database; a rotation without the variable would not reach it.
    server = AppProcess.spawn({ ...env, API_TOKEN: 'an-operator-chosen-token-0001' });
    const url = await server.started();
    const refused = await runCli('token-rotate', env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a running instance says so in the database/);
    expect(await status(url, 'an-operator-chosen-token-0001')).toBe(200);
    await server.stop();
    server = undefined;
  });

  it('exits 2 with one line on bad configuration', async () => {
    const bad = await runCli('token-rotate', { ...env, DATABASE_URL: 'mysql://nope' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'token:rotate: invalid configuration: DATABASE_URL: unsupported scheme "mysql:" (use postgres://… or sqlite:<file>)\n',
    );
  });
});
