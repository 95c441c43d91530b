import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PostgresServer, TEST_MASTER_KEY, tempDir, waitFor } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const main = join(root, 'dist/apps/api/src/main.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', SIM: 'off', SIM_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

function listeningUrl(r: Run): string | undefined {
  return /tradedesk listening on (http:\/\/[^\s"]+)/.exec(r.stdout())?.[1];
}

async function started(r: Run): Promise<string> {
  await waitFor(() => listeningUrl(r) !== undefined || r.child.exitCode !== null, 'tradedesk to listen', 30_000);
  const url = listeningUrl(r);
  if (!url) throw new Error(`tradedesk exited: ${r.stderr()}`);
  return url;
}

async function stop(r: Run): Promise<void> {
  if (r.child.exitCode === null) r.child.kill('SIGTERM');
  await r.exit;
}

beforeAll(() => {
  // The process tests run what `npm start` runs: the swc build.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
}, 120_000);

describe('tradedesk as a process', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ MASTER_KEY: 'abcd' }, 'MASTER_KEY'],
    [{ REDIS_URL: 'memcached://x' }, 'REDIS_URL'],
  ])('refuses bad configuration %j before listening, with one line naming the variable', async (env, variable) => {
    const dir = await tempDir();
    try {
      const r = run({ DATA_DIR: dir.path, ...env });
      expect(await r.exit).not.toBe(0);
      const lines = r.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${variable}:`);
      expect(r.stdout()).not.toContain('listening');
    } finally {
      await dir.remove();
    }
  });

  it('prints a generated token once, stores only its hash, and refuses a second instance on the same SQLite file', async () => {
    const dir = await tempDir();
    try {
      const first = run({ DATA_DIR: dir.path });
      const url = await started(first);
      const token = /Bearer (td_[A-Za-z0-9_-]+)/.exec(first.stdout())?.[1];
      expect(token).toBeDefined();
      const res = await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);

      const second = run({ DATA_DIR: dir.path });
      expect(await second.exit).not.toBe(0);
      expect(second.stderr()).toMatch(/in use by another tradedesk process/);
      await stop(first);

      // The token went to the terminal only, never into the log files, and is not shown again.
      const logs = execFileSync('sh', ['-c', `cat ${join(dir.path, 'logs')}/tradedesk-*.log`], { encoding: 'utf8' });
      expect(logs).toContain('generated an API token');
      expect(logs).not.toContain(token!);
      const again = run({ DATA_DIR: dir.path });
      const url2 = await started(again);
      expect(again.stdout()).not.toContain('td_');
      expect((await fetch(`${url2}/api/health`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      await stop(again);
    } finally {
      await dir.remove();
    }
  });
});

describe('readiness when PostgreSQL goes away', () => {
  let server: PostgresServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    server = await PostgresServer.create();
    dir = await tempDir();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    await dir?.remove();
  });

  it('reports the database down (503) while PostgreSQL is stopped and ready again after it returns', async () => {
    const r = run({ DATA_DIR: dir.path, DATABASE_URL: server.url, API_TOKEN: 'process-test-token-123456', MASTER_KEY: TEST_MASTER_KEY });
    try {
      const url = await started(r);
      expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
      await server.stop();
      const down = await fetch(`${url}/api/health/ready`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: Record<string, unknown> }).error).toHaveProperty('database');
      expect((await fetch(`${url}/api/health/live`)).status).toBe(200);
      await server.start();
      await waitFor(async () => (await fetch(`${url}/api/health/ready`)).status === 200, 'readiness to recover', 20_000, 100);
    } finally {
      await stop(r);
    }
  });
});
