import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackupManifest } from '@tradedesk/backup';
import { TEST_DRIVERS, TEST_MASTER_KEY } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ShellRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run backup` (the built CLI) inside a bash script, which may first shrink the world it runs
 * in: its own mount namespace with a small tmpfs on BACKUP_DIR, or a file-size limit. After the
 * CLI, the script prints what BACKUP_DIR holds and every manifest, between markers.
 */
function backupIn(setup: string, env: Record<string, string>, namespace: boolean): Promise<ShellRun> {
  const cli = join(dirname(inject('appMain')), 'cli', 'backup.js');
  const script = `${setup}
"${process.execPath}" "${cli}"; code=$?
echo "@@files"; ls -A "$BACKUP_DIR"
echo "@@manifests"; for m in "$BACKUP_DIR"/*.manifest.json; do tr -d "\n" < "$m"; echo; done
exit $code`;
  const [command, args] = namespace
    ? ['unshare', ['--user', '--map-root-user', '--mount', 'bash', '-c', script]]
    : ['bash', ['-c', script]];
  return new Promise((resolve) => {
    execFile(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function filesAndManifests(stdout: string): { files: string[]; manifests: BackupManifest[] } {
  const [, afterFiles = ''] = stdout.split('@@files\n');
  const [list = '', manifests = ''] = afterFiles.split('@@manifests\n');
  return {
    files: list.split('\n').filter(Boolean),
    manifests: manifests
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as BackupManifest),
  };
}

// Issue 18: a full disk fails cleanly — a failed manifest saying why, no partial file, nothing `verified`.
describe.each(TEST_DRIVERS)('backups on a full disk (%s)', (driver) => {
  let s: TradingStack;
  let env: Record<string, string>;

  beforeAll(async () => {
    s = await startTradingStack(driver, { BACKUP_CRON: 'off' });
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.01' });
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '100000' });
    env = {
      DATA_DIR: s.app.dataDir,
      DATABASE_URL: s.app.databaseUrl,
      MASTER_KEY: TEST_MASTER_KEY,
      BACKUP_MIN_FREE_MB: '0',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a tmpfs too small for the database: the backup is not started, and says why', { timeout: 60_000 }, async () => {
    const dir = join(s.app.dataDir, 'small-disk');
    mkdirSync(dir);
    const run = await backupIn(`mount -t tmpfs -o size=48k tmpfs "$BACKUP_DIR" || exit 99`, { ...env, BACKUP_DIR: dir }, true);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('failed at its space: not started: it needs about');
    const { files, manifests } = filesAndManifests(run.stdout);
    expect(manifests).toHaveLength(1);
    expect(manifests[0]).toMatchObject({ status: 'failed', sha256: null, failure: { stage: 'space' } });
    expect(files.filter((f) => !f.endsWith('.manifest.json') && !f.startsWith('backup.lock'))).toEqual([]);
  });

  it('the disk fills while the backup is written (a file-size limit): failed, the partial file removed', { timeout: 90_000 }, async () => {
    const dir = join(s.app.dataDir, 'quota');
    mkdirSync(dir);
    // 16 KiB per file: the manifests fit, the backup does not. SIGXFSZ ignored, so writes fail with EFBIG instead of killing the process.
    const run = await backupIn(`trap '' XFSZ; ulimit -f 16`, { ...env, BACKUP_DIR: dir }, false);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('failed at its backup');
    const { files, manifests } = filesAndManifests(run.stdout);
    expect(manifests).toHaveLength(1);
    expect(manifests[0]).toMatchObject({ status: 'failed', sha256: null, verification: null, failure: { stage: 'backup' } });
    expect(files.filter((f) => !f.endsWith('.manifest.json') && !f.startsWith('backup.lock'))).toEqual([]);

    // Space back: the next backup is whole and verified, and the failed one stays failed.
    const after = await backupIn('', { ...env, BACKUP_DIR: dir }, false);
    expect(after.code, after.stderr).toBe(0);
    const listed = filesAndManifests(after.stdout).manifests;
    expect(listed.map((m) => m.status).sort((a, b) => a.localeCompare(b))).toEqual(['failed', 'verified']);
  });
});
