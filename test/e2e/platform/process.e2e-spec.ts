import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AppProcess, PostgresServer, TEST_MASTER_KEY, tempDir, waitFor } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('tradedesk as a process', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ MASTER_KEY: 'abcd' }, 'MASTER_KEY'],
    [{ REDIS_URL: 'memcached://x' }, 'REDIS_URL'],
    // Context namespaces are validated at start too.
    [{ SIM: 'sometimes' }, 'SIM'],
    [{ ORDER_POLL_MS: '5' }, 'ORDER_POLL_MS'],
    [{ TICK_MS: 'fast' }, 'TICK_MS'],
  ])('refuses bad configuration %j before listening, with one line naming the variable', async (env, variable) => {
    const dir = await tempDir();
    try {
      const r = AppProcess.spawn({ DATA_DIR: dir.path, ...env });
      expect(await r.exit).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${variable}:`);
      expect(r.stdout).not.toContain('listening');
    } finally {
      await dir.remove();
    }
  });

  it('prints a generated token once, stores only its hash, and refuses a second instance on the same SQLite file', async () => {
    const dir = await tempDir();
    try {
      const first = AppProcess.spawn({ DATA_DIR: dir.path });
      const url = await first.started();
      // The token is printed once start-up returns, a moment after the "listening" log line.
      await waitFor(() => /Bearer td_/.test(first.stdout), 'the generated token on stdout', 10_000);
      const token = /Bearer (td_[A-Za-z0-9_-]+)/.exec(first.stdout)?.[1];
      expect(token).toBeDefined();
      const res = await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      // The banner is not buried: no line per route or module before it at the default level.
      expect(first.stdout).not.toMatch(/Mapped \{|dependencies initialized/);
      expect(first.stdout.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(20);

      const second = AppProcess.spawn({ DATA_DIR: dir.path });
      expect(await second.exit).not.toBe(0);
      expect(second.stderr).toMatch(/in use by another tradedesk process/);
      await first.stop();

      // The token went to the terminal only, never into the log files, and is not shown again.
      const logs = execFileSync('sh', ['-c', `cat ${join(dir.path, 'logs')}/tradedesk-*.log`], { encoding: 'utf8' });
      // An orderly stop says so, first and last.
      expect(logs).toMatch(/tradedesk stopping on SIGTERM/);
      expect(logs).toMatch(/tradedesk stopped \(SIGTERM\) after \d+ ms/);
      expect(logs).toContain('generated an API token');
      expect(logs).not.toContain(token!);
      const again = AppProcess.spawn({ DATA_DIR: dir.path });
      const url2 = await again.started();
      expect(again.stdout).not.toContain('td_');
      expect((await fetch(`${url2}/api/health`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      await again.stop();
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
    const r = AppProcess.spawn({
      DATA_DIR: dir.path,
      DATABASE_URL: server.url,
      API_TOKEN: 'process-test-token-123456',
      MASTER_KEY: TEST_MASTER_KEY,
    });
    try {
      const url = await r.started();
      // Listening comes before start-up order reconciliation ends; readiness waits for both.
      await waitFor(async () => (await fetch(`${url}/api/health/ready`)).status === 200, 'readiness after start', 20_000, 100);
      await server.stop();
      const down = await fetch(`${url}/api/health/ready`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: Record<string, unknown> }).error).toHaveProperty('database');
      expect((await fetch(`${url}/api/health/live`)).status).toBe(200);
      await server.start();
      await waitFor(async () => (await fetch(`${url}/api/health/ready`)).status === 200, 'readiness to recover', 20_000, 100);
    } finally {
      await r.stop();
    }
  });
});
