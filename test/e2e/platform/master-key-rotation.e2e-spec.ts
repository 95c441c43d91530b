import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess, tempDir, TEST_DRIVERS, TEST_MASTER_KEY } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { sqlClient } from '../../support/sql-client.js';
import { BINANCE_ACCOUNT, type SimHarness, startSimHarness } from '../../support/sim-harness.js';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

const KEY_B = 'b1'.repeat(32);
const KEY_C = Buffer.alloc(32, 0xc3).toString('base64');

interface SealedRow {
  id: string;
  label: string;
  keyId: string;
  apiKeyCiphertext: string;
  secretCiphertext: string;
}

// Issue 12: npm run master-key:rotate re-encrypts every stored exchange secret in one transaction;
// a failure midway leaves the old key valid.
describe.each(TEST_DRIVERS)('master key rotation (%s)', (database) => {
  let harness: SimHarness;
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    harness = await startSimHarness();
  });
  afterAll(async () => {
    for (const c of cleanup.toReversed()) await c();
    await harness?.close();
  });

  /**
   * A data directory and database holding sim accounts (2 seeded, 1 added) and a paper account, sealed
   * under `masterKey` — or, given `'file'`, under the test key read from master.key in the data directory.
   */
  async function installation(masterKey: string = TEST_MASTER_KEY) {
    const dir = await tempDir();
    cleanup.push(dir.remove);
    if (masterKey === 'file') writeFileSync(join(dir.path, 'master.key'), `${TEST_MASTER_KEY}\n`, { mode: 0o600 });
    const app = await boot(dir.path, undefined, masterKey === 'file' ? '' : masterKey);
    const created = await call(app, 'POST', '/accounts', { exchange: 'binance', mode: 'sim', label: 'added', ...keys() });
    expect(created.status).toBe(201);
    expect((await call(app, 'POST', '/accounts', { exchange: 'upbit', mode: 'paper', label: 'paper' })).status).toBe(201);
    await app.close();
    return { dataDir: dir.path, databaseUrl: app.databaseUrl, accountId: created.body.id as string };
  }
  const keys = () => ({ apiKey: BINANCE_ACCOUNT.apiKey, secret: BINANCE_ACCOUNT.secret });
  const boot = (dataDir: string, databaseUrl: string | undefined, masterKey: string): Promise<TestApp> =>
    bootTestApp({ database, dataDir, databaseUrl, env: { SIM: 'on', SIM_URL: harness.url, MASTER_KEY: masterKey } });
  const call = async (app: TestApp, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method,
      headers: { Authorization: app.auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const sealed = async (databaseUrl: string): Promise<SealedRow[]> => {
    const sql = await sqlClient(databaseUrl);
    try {
      return await sql.query<SealedRow>(
        `SELECT id, label, "keyId", "apiKeyCiphertext", "secretCiphertext" FROM exchange_accounts WHERE mode <> 'paper' ORDER BY "createdAt", id`,
      );
    } finally {
      await sql.close();
    }
  };
  const cliEnv = (i: { dataDir: string; databaseUrl: string }, extra: Record<string, string> = {}) => ({
    DATA_DIR: i.dataDir,
    DATABASE_URL: i.databaseUrl,
    ...extra,
  });
  /** Starts on the installation with `masterKey` ('' = DATA_DIR/master.key) and reads a balance through the stored keys. */
  const startsAndTrades = async (i: { dataDir: string; databaseUrl: string; accountId: string }, masterKey: string) => {
    const app = await boot(i.dataDir, i.databaseUrl, masterKey);
    try {
      const balances = await call(app, 'GET', `/accounts/${i.accountId}/balances`);
      expect(balances.status).toBe(200);
      return (await call(app, 'GET', '/audit?action=master_key.rotated')).body;
    } finally {
      await app.close();
    }
  };
  /** The one line a start refused by its master key prints (a child process: a failed start in this one would keep its locks). */
  const refusedStart = async (i: { dataDir: string; databaseUrl: string }, masterKey: string) => {
    const server = AppProcess.spawn({
      DATA_DIR: i.dataDir,
      DATABASE_URL: i.databaseUrl,
      MASTER_KEY: masterKey,
      API_TOKEN: 'test-token-0123456789abcdef',
      SIM: 'on',
      SIM_URL: harness.url,
    });
    expect(await server.exit).toBe(1);
    return server.stderr;
  };

  it('re-encrypts every stored secret under NEW_MASTER_KEY in one go; the old key opens nothing afterwards', async () => {
    const i = await installation();
    const before = await sealed(i.databaseUrl);
    expect(before).toHaveLength(3);
    const rotated = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: TEST_MASTER_KEY, NEW_MASTER_KEY: KEY_B }));
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /re-encrypted the secrets of 3 exchange account\(s\) from key id [0-9a-f]{16} to key id [0-9a-f]{16} in one transaction/,
    );
    expect(rotated.stdout).toMatch(/now set MASTER_KEY to the new key/);
    expect(rotated.stdout).not.toContain(KEY_B);

    const after = await sealed(i.databaseUrl);
    const newKeyId = after[0].keyId;
    expect(newKeyId).not.toBe(before[0].keyId);
    for (const [n, row] of after.entries()) {
      expect(row.keyId).toBe(newKeyId);
      expect(row.apiKeyCiphertext).not.toBe(before[n].apiKeyCiphertext);
      expect(row.secretCiphertext).not.toBe(before[n].secretCiphertext);
    }

    expect(await refusedStart(i, TEST_MASTER_KEY)).toMatch(
      /^tradedesk: .*MASTER_KEY: cannot decrypt .*after npm run master-key:rotate, the new one/,
    );
    const audit = await startsAndTrades(i, KEY_B);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: 'master_key.rotated',
      actor: 'cli',
      details: { fromKeyId: before[0].keyId, toKeyId: newKeyId, accountsReencrypted: 3, accountsAlreadyRotated: 0 },
    });
    expect(JSON.stringify(audit)).not.toContain(KEY_B);

    // Base64 works as well as hex; the same key twice is refused.
    const again = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: KEY_B }), ['--new-key', KEY_C]);
    expect(again.code).toBe(0);
    await startsAndTrades(i, KEY_C);
    const same = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: KEY_C, NEW_MASTER_KEY: KEY_C }));
    expect(same.code).toBe(1);
    expect(same.stderr).toBe('master-key:rotate: the new master key is the current one: nothing to rotate\n');
  });

  it('leaves every secret under the old key when it fails midway', async () => {
    const i = await installation();
    const before = await sealed(i.databaseUrl);
    // The last account's secret no longer opens: the first two are re-encrypted before the rotation hits it.
    const last = before[before.length - 1];
    const sql = await sqlClient(i.databaseUrl);
    try {
      await sql.query(`UPDATE exchange_accounts SET "secretCiphertext" = $1 WHERE id = $2`, [last.apiKeyCiphertext, last.id]);
      const failed = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: TEST_MASTER_KEY, NEW_MASTER_KEY: KEY_B }));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`the keys of exchange account "${last.label}" (${last.id}) do not open with the current master key`);
      expect(failed.stderr).toContain('nothing was changed');
      const after = await sealed(i.databaseUrl);
      expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
      await sql.query(`UPDATE exchange_accounts SET "secretCiphertext" = $1 WHERE id = $2`, [last.secretCiphertext, last.id]);
    } finally {
      await sql.close();
    }
    expect(await sealed(i.databaseUrl)).toEqual(before);
    const audit = await startsAndTrades(i, TEST_MASTER_KEY);
    expect(audit.total).toBe(0);
  });

  it('refuses to run while tradedesk runs on the database', async () => {
    const i = await installation();
    const before = await sealed(i.databaseUrl);
    const server = AppProcess.spawn({
      DATA_DIR: i.dataDir,
      DATABASE_URL: i.databaseUrl,
      MASTER_KEY: TEST_MASTER_KEY,
      API_TOKEN: 'test-token-0123456789abcdef',
    });
    try {
      await server.started();
      const refused = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: TEST_MASTER_KEY, NEW_MASTER_KEY: KEY_B }));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^master-key:rotate: tradedesk is running on .*: stop (it|every instance) first, then run this again; nothing was changed\n$/,
      );
    } finally {
      await server.stop();
    }
    expect(await sealed(i.databaseUrl)).toEqual(before);
  });

  it('with DATA_DIR/master.key: replaces the file after the commit, and finishes a rotation interrupted between the two', async () => {
    const i = await installation('file');
    const keyFile = join(i.dataDir, 'master.key');
    const generated = await runCli('master-key-rotate', cliEnv(i), ['--generate']);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const fileKey = readFileSync(keyFile, 'utf8').trim();
    expect(fileKey).toMatch(/^[0-9a-f]{64}$/);
    expect(fileKey).not.toBe(TEST_MASTER_KEY);
    expect(generated.stdout).not.toContain(fileKey);
    expect(generated.stdout).toContain('now holds the new key');
    expect(existsSync(join(i.dataDir, 'master.key.next'))).toBe(false);
    await startsAndTrades(i, '');

    // Committed under KEY_B, but interrupted before master.key was replaced.
    expect((await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: fileKey, NEW_MASTER_KEY: KEY_B }))).code).toBe(0);
    writeFileSync(join(i.dataDir, 'master.key.next'), `${KEY_B}\n`, { mode: 0o600 });
    expect(await refusedStart(i, '')).toMatch(
      /An interrupted npm run master-key:rotate left master\.key\.next in DATA_DIR: run npm run master-key:rotate again/,
    );
    const finished = await runCli('master-key-rotate', cliEnv(i));
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/^finished an interrupted rotation/);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(KEY_B);
    expect(existsSync(join(i.dataDir, 'master.key.next'))).toBe(false);
    await startsAndTrades(i, '');

    // A master.key.next from a rotation that never committed is dropped; the current key stays.
    writeFileSync(join(i.dataDir, 'master.key.next'), `${'d4'.repeat(32)}\n`, { mode: 0o600 });
    const noKey = await runCli('master-key-rotate', cliEnv(i));
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no new key: give the new key as NEW_MASTER_KEY/);
    expect(existsSync(join(i.dataDir, 'master.key.next'))).toBe(false);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(KEY_B);
  });

  it('names what is wrong with a bad new key, without printing it', async () => {
    const i = await installation();
    const bad = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: TEST_MASTER_KEY, NEW_MASTER_KEY: 'abc123' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^master-key:rotate: NEW_MASTER_KEY: must be a 32-byte key/);
    const unknown = await runCli('master-key-rotate', cliEnv(i, { MASTER_KEY: TEST_MASTER_KEY }), ['--new']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown argument "--new"/);
  });
});
