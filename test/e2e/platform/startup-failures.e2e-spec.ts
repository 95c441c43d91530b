import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { AppProcess, freePort, TEST_MASTER_KEY, tempDir } from '@tradedesk/testing';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A root test runner ignores permission bits, so the process under test runs as `nobody` then;
 * any other runner is unprivileged already and runs it as itself.
 */
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/** A temp dir the process under test owns; removed by `remove()`. */
async function ownedDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await tempDir();
  if (unprivileged) chownSync(dir.path, unprivileged.uid, unprivileged.gid);
  return dir;
}

const spawned: AppProcess[] = [];
// A case that starts when it should not must not leave its process behind.
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((app) => app.stop('SIGKILL')));
});

function spawnApp(env: Record<string, string>, maxFileBytes?: number): AppProcess {
  const app = AppProcess.spawn({ API_TOKEN: 'startup-test-token-0123', ...env }, { user: unprivileged, maxFileBytes });
  spawned.push(app);
  return app;
}

/** The promise of api.md: one line on stderr naming the cause and what to do, a non-zero exit, no retries. */
async function expectOneLineFailure(app: AppProcess, cause: RegExp, remedy: RegExp): Promise<string> {
  const code = await Promise.race([
    app.exit,
    app.started().then(
      (url) => `listening on ${url}`,
      () => app.exit,
    ),
  ]);
  expect(code).not.toBe(0);
  const lines = app.stderr.trim().split('\n');
  expect(lines, app.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tradedesk: /);
  expect(lines[0]).toMatch(cause);
  expect(lines[0]).toMatch(remedy);
  expect(app.stdout).not.toMatch(/Retrying/);
  expect(app.stdout).not.toContain('listening');
  return lines[0];
}

describe('start-up failures end in one line, a non-zero exit and no retries', () => {
  it('read-only DATA_DIR', async () => {
    const dir = await ownedDir();
    try {
      chmodSync(dir.path, 0o500);
      await expectOneLineFailure(spawnApp({ DATA_DIR: dir.path }), /DATA_DIR/, /writable/);
    } finally {
      await dir.remove();
    }
  });

  it('master.key that cannot be written (a directory is in its place)', async () => {
    const dir = await ownedDir();
    try {
      mkdirSync(join(dir.path, 'master.key'));
      await expectOneLineFailure(spawnApp({ DATA_DIR: dir.path }), /master\.key/, /MASTER_KEY/);
    } finally {
      await dir.remove();
    }
  });

  it('master.key that cannot be read', async () => {
    const dir = await ownedDir();
    try {
      writeFileSync(join(dir.path, 'master.key'), `${'ab'.repeat(32)}\n`, { mode: 0o000 });
      if (unprivileged) chownSync(join(dir.path, 'master.key'), 0, 0);
      await expectOneLineFailure(spawnApp({ DATA_DIR: dir.path }), /master\.key/, /read/);
    } finally {
      await dir.remove();
    }
  });

  it('read-only SQLite database', async () => {
    const dir = await ownedDir();
    try {
      const first = spawnApp({ DATA_DIR: dir.path, MASTER_KEY: TEST_MASTER_KEY });
      await first.started();
      await first.stop();
      chmodSync(join(dir.path, 'tradedesk.sqlite'), 0o400);
      await expectOneLineFailure(spawnApp({ DATA_DIR: dir.path, MASTER_KEY: TEST_MASTER_KEY }), /tradedesk\.sqlite/, /read-only|writable/);
    } finally {
      await dir.remove();
    }
  });

  it('unreachable PostgreSQL', async () => {
    const dir = await ownedDir();
    try {
      const port = await freePort();
      const line = await expectOneLineFailure(
        spawnApp({
          DATA_DIR: dir.path,
          MASTER_KEY: TEST_MASTER_KEY,
          DATABASE_URL: `postgres://td:sup3r-secret@127.0.0.1:${port}/tradedesk`,
        }),
        new RegExp(`DATABASE_URL.*127\\.0\\.0\\.1:${port}`),
        /start PostgreSQL|check/,
      );
      expect(line).not.toContain('sup3r-secret');
    } finally {
      await dir.remove();
    }
  });

  it('a second instance on one SQLite file', async () => {
    const dir = await ownedDir();
    try {
      const first = spawnApp({ DATA_DIR: dir.path, MASTER_KEY: TEST_MASTER_KEY });
      await first.started();
      try {
        await expectOneLineFailure(
          spawnApp({ DATA_DIR: dir.path, MASTER_KEY: TEST_MASTER_KEY }),
          /in use by another tradedesk process/,
          /PostgreSQL/,
        );
      } finally {
        await first.stop();
      }
    } finally {
      await dir.remove();
    }
  });

  it('a port another process listens on', async () => {
    const dir = await ownedDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      await expectOneLineFailure(
        spawnApp({ DATA_DIR: dir.path, MASTER_KEY: TEST_MASTER_KEY, PORT: String(port) }),
        new RegExp(`PORT.*${port}`),
        /in use/,
      );
    } finally {
      blocker.close();
      await dir.remove();
    }
  });

  it('a full disk at the first start leaves nothing that breaks the next start', async () => {
    const dir = await ownedDir();
    try {
      await expectOneLineFailure(spawnApp({ DATA_DIR: dir.path }, 0), /space|too large/i, /free/i);
      expect(existsSync(join(dir.path, 'master.key'))).toBe(false);
      expect(readdirSync(dir.path).filter((f) => f.includes('master.key'))).toEqual([]);
      const next = spawnApp({ DATA_DIR: dir.path });
      await next.started();
      await next.stop();
      expect(statSync(join(dir.path, 'master.key')).size).toBe(65);
    } finally {
      await dir.remove();
    }
  });
});

describe('what tradedesk writes is private to its user', () => {
  it('creates DATA_DIR 0700 and its database, key, lock and log files 0600', async () => {
    const parent = await ownedDir();
    const dataDir = join(parent.path, 'data');
    try {
      const app = spawnApp({ DATA_DIR: dataDir });
      await app.started();
      await app.stop();
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect(mode(dataDir).toString(8)).toBe('700');
      expect(mode(join(dataDir, 'logs')).toString(8)).toBe('700');
      const files = [
        ...readdirSync(dataDir)
          .filter((f) => statSync(join(dataDir, f)).isFile())
          .map((f) => join(dataDir, f)),
        ...readdirSync(join(dataDir, 'logs')).map((f) => join(dataDir, 'logs', f)),
      ];
      expect(files.map((f) => f.slice(dataDir.length + 1))).toEqual(
        expect.arrayContaining(['master.key', 'tradedesk.sqlite', expect.stringMatching(/^logs\/tradedesk-.*\.log$/)]),
      );
      for (const file of files) expect(`${file}: ${mode(file).toString(8)}`).toBe(`${file}: 600`);
    } finally {
      await parent.remove();
    }
  });

  it('tells the operator when an existing DATA_DIR is readable by others', async () => {
    const dir = await ownedDir();
    try {
      mkdirSync(join(dir.path, 'data'), { mode: 0o755 });
      chmodSync(join(dir.path, 'data'), 0o755);
      if (unprivileged) chownSync(join(dir.path, 'data'), unprivileged.uid, unprivileged.gid);
      const app = spawnApp({ DATA_DIR: join(dir.path, 'data') });
      await app.started();
      await app.stop();
      expect(app.stdout).toMatch(/DATA_DIR .* is readable by other users .*chmod 700/);
    } finally {
      await dir.remove();
    }
  });
});
