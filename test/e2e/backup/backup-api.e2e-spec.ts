import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '@nestjs/cqrs';
import { BackupConfig, BackupFailedEvent, type BackupManifest } from '@tradedesk/backup';
import { TEST_DRIVERS } from '@tradedesk/testing';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/** The backup once it has left `running`, polled with a deadline. */
async function settled(s: TradingStack, id: string, timeoutMs = 30_000): Promise<BackupManifest> {
  let body: BackupManifest | undefined;
  await expect
    .poll(
      async () => {
        body = (await s.api().get(`/api/backups/${id}`).expect(200)).body as BackupManifest;
        return body.status;
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .not.toBe('running');
  return body!;
}

describe.each(TEST_DRIVERS)('backups through the API (%s)', (driver) => {
  let s: TradingStack;
  const failures: BackupFailedEvent[] = [];
  let subscription: Subscription;

  beforeAll(async () => {
    s = await startTradingStack(driver, { BACKUP_CRON: 'off', BACKUP_MIN_FREE_MB: '0' });
    subscription = s.app.app.get(EventBus).subscribe((event) => {
      if (event instanceof BackupFailedEvent) failures.push(event);
    });
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.01' });
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '100000' });
  });
  afterAll(async () => {
    subscription?.unsubscribe();
    await s?.close();
  });

  it('takes a backup on demand, proves it by a restore and lists it with its manifest', async () => {
    const started = await s.api().post('/api/backups').expect(202);
    expect(started.body).toMatchObject({ status: 'running', trigger: 'api', driver });
    const backup = await settled(s, (started.body as BackupManifest).id);
    expect(backup.failure).toBeNull();
    expect(backup).toMatchObject({
      status: 'verified',
      format: driver === 'sqlite' ? 'sqlite' : 'pg_dump-custom',
      encryption: null,
      tradedeskVersion: '0.1.0',
      latestMigration: expect.stringMatching(/^[A-Za-z]+\d{13}$/) as string,
      verification: { checksum: 'ok', restore: 'ok', integrity: 'ok', foreignKeys: 'ok', rowCounts: 'ok' },
    });
    expect(backup.rowCounts.orders).toBe(2);
    expect(backup.rowCounts.trades).toBeGreaterThanOrEqual(2);
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.sizeBytes).toBeGreaterThan(0);
    expect(Date.parse(backup.newestOrderAt!)).toBeLessThanOrEqual(Date.parse(backup.startedAt));

    const list = (await s.api().get('/api/backups').expect(200)).body as { items: BackupManifest[]; total: number };
    expect(list.items.map((b) => b.id)).toContain(backup.id);
    const health = (await s.api().get('/api/health').expect(200)).body as { details: Record<string, Record<string, unknown>> };
    expect(health.details.backup).toMatchObject({ status: 'up', lastVerifiedBackupId: backup.id });
  });

  it('a backup file with one byte flipped fails its verification with exactly one event and one backup.failed notification', async () => {
    const backup = await settled(s, ((await s.api().post('/api/backups').expect(202)).body as BackupManifest).id);
    expect(backup.status).toBe('verified');
    const path = join(s.app.config.get(BackupConfig).dir, backup.file);
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(path, bytes);
    const before = failures.length;

    const reverified = await s.api().post(`/api/backups/${backup.id}/verify`).expect(202);
    expect(reverified.body).toMatchObject({ id: backup.id, status: 'running' });
    const failed = await settled(s, backup.id);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatchObject({ stage: 'verification', reason: expect.stringContaining('checksum: mismatch') as string });
    await expect
      .poll(async () => ((await s.api().get('/api/notifications?type=backup.failed').expect(200)).body as { total: number }).total, {
        timeout: 5000,
      })
      .toBe(1);
    expect(failures.length - before).toBe(1);
    expect(failures.at(-1)).toMatchObject({ stage: 'verification', backup: { backupId: backup.id } });
    // A failed verification is told once: nothing else follows it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures.length - before).toBe(1);
  });

  it('answers 404 for an unknown backup and 409 while one is running', async () => {
    expect((await s.api().get('/api/backups/20260101T000000000Z-abcdef').expect(404)).body).toMatchObject({ code: 'BACKUP.NOT_FOUND' });
    const first = await s.api().post('/api/backups').expect(202);
    const second = await s.api().post('/api/backups');
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'BACKUP.IN_PROGRESS' });
    await settled(s, (first.body as BackupManifest).id);
  });

  it('/api/health warns once the newest verified backup is older than BACKUP_MAX_AGE_HOURS (26 h)', async () => {
    const dir = s.app.config.get(BackupConfig).dir;
    const manifests = readdirSync(dir).filter((name) => name.endsWith('.manifest.json'));
    expect(manifests.length).toBeGreaterThan(0);
    // Every backup made 27 h older, as if no backup had run since.
    for (const name of manifests) {
      const manifest = JSON.parse(readFileSync(join(dir, name), 'utf8')) as BackupManifest;
      writeFileSync(
        join(dir, name),
        JSON.stringify({ ...manifest, startedAt: new Date(Date.parse(manifest.startedAt) - 27 * 3600_000).toISOString() }),
      );
    }
    const health = (await s.api().get('/api/health')).body as { status: string; details: Record<string, Record<string, unknown>> };
    expect(health.details.backup).toMatchObject({
      status: 'down',
      message: expect.stringMatching(/^the newest verified backup is 2[78] h old \(more than BACKUP_MAX_AGE_HOURS=26\)$/) as string,
    });
    expect(health.status).not.toBe('ok');
  });
});
