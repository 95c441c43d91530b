import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { ErrorSpikeDetectedEvent, ErrorSpikeResolvedEvent } from '@tradedesk/monitoring';
import { RequestContext } from '@tradedesk/shared';
import { TEST_DRIVERS, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

interface LogLine {
  level: string;
  message: string;
  context: string | null;
  requestId: string | null;
  at: string | null;
  file: string;
  line: number;
}

const HOUR_MS = 3600_000;
const SPIKE_THRESHOLD = 10;

describe.each(TEST_DRIVERS)('log analysis and error monitoring on %s', (driver) => {
  let t: TestApp;
  const api = () => request.agent(t.url).set('Authorization', t.auth);
  const logs = async (query: Record<string, string | number>) =>
    (await api().get('/api/logs').query(query).expect(200)).body as { items: LogLine[]; nextCursor: string | null };

  // A day-old file, rotated and gzipped, with a planted error among lines that are not JSON entries.
  const rotatedAt = new Date(Date.now() - 26 * HOUR_MS);
  const rotatedFile = `tradedesk-${rotatedAt.toISOString().slice(0, 10)}.log.gz`;

  beforeAll(async () => {
    t = await bootTestApp({
      database: driver,
      env: { ERROR_SPIKE_THRESHOLD: String(SPIKE_THRESHOLD), ERROR_SPIKE_WINDOW_SECONDS: '2' },
    });
    const at = (minutes: number) => new Date(rotatedAt.getTime() + minutes * 60_000).toISOString();
    const lines = [
      JSON.stringify({ level: 'info', message: 'order 17 placed', context: 'OrderSubmission', correlationId: 'req-a', timestamp: at(0) }),
      'Error: socket hang up',
      '    at TLSSocket.socketOnEnd (node:_http_client:524:23)',
      JSON.stringify({
        level: 'error',
        message: 'planted rotated failure of order 1234',
        context: 'Planted',
        correlationId: 'req-rotated',
        timestamp: at(1),
      }),
      '',
      '{"level":"error","message":"cut short',
      JSON.stringify({ level: 'warn', message: 'slow answer 812 ms', context: 'Planted', timestamp: at(2) }),
    ];
    await writeFile(join(t.config.logging.dir, rotatedFile), gzipSync(`${lines.join('\n')}\n`));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds planted errors in a rotated .gz file and in the current file, newest first, a page at a time', async () => {
    RequestContext.run('req-current', () => new Logger('Planted').error('planted current failure of order 5678'));
    await expect
      .poll(async () => (await logs({ level: 'error', text: 'planted' })).items.length, { timeout: 10_000, interval: 100 })
      .toBe(2);
    const found = (await logs({ level: 'error', text: 'planted' })).items;
    expect(found.map((l) => [l.message, l.requestId, l.context])).toEqual([
      ['planted current failure of order 5678', 'req-current', 'Planted'],
      ['planted rotated failure of order 1234', 'req-rotated', 'Planted'],
    ]);
    expect(found[0].file).toMatch(/^tradedesk-\d{4}-\d{2}-\d{2}\.log$/);
    expect(found[1]).toMatchObject({ file: rotatedFile, line: 4 });

    const first = await logs({ level: 'error', text: 'planted', limit: 1 });
    expect(first.items.map((l) => l.requestId)).toEqual(['req-current']);
    const second = await logs({ level: 'error', text: 'planted', limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((l) => l.requestId)).toEqual(['req-rotated']);
    const third = await logs({ level: 'error', text: 'planted', limit: 1, cursor: second.nextCursor! });
    expect(third).toEqual({ items: [], nextCursor: null });

    // Filters combine: the rotated file's hour, by context and request id.
    const range = { from: rotatedAt.toISOString(), to: new Date(rotatedAt.getTime() + HOUR_MS).toISOString() };
    expect((await logs({ ...range, context: 'Planted' })).items.map((l) => l.level)).toEqual(['warn', 'error']);
    expect((await logs({ requestId: 'req-a' })).items.map((l) => l.message)).toEqual(['order 17 placed']);
  });

  it('keeps lines that are not JSON entries, as unparsed', async () => {
    const { items } = await logs({ text: 'socket' });
    expect(items.map((l) => [l.level, l.message])).toEqual([
      ['unparsed', 'at TLSSocket.socketOnEnd (node:_http_client:524:23)'],
      ['unparsed', 'Error: socket hang up'],
    ]);
    expect((await logs({ text: 'cut short' })).items.map((l) => l.level)).toEqual(['unparsed']);
  });

  it('summarizes by hour, level and context, with the top messages', async () => {
    const from = new Date(rotatedAt.getTime() - HOUR_MS).toISOString();
    const summary = (await api().get('/api/logs/summary').query({ from }).expect(200)).body as {
      unparsed: number;
      byHour: Array<{ hour: string; level: string; context: string | null; count: number }>;
      topMessages: Array<{ pattern: string; count: number }>;
    };
    const hour = new Date(Math.floor(rotatedAt.getTime() / HOUR_MS) * HOUR_MS).toISOString();
    const planted = summary.byHour.filter(
      (h) => h.context === 'Planted' && h.hour <= new Date(rotatedAt.getTime() + HOUR_MS).toISOString(),
    );
    expect(planted.reduce((n, h) => n + h.count, 0)).toBe(2);
    expect(planted.every((h) => h.hour >= hour)).toBe(true);
    expect(summary.unparsed).toBe(3);
    expect(summary.topMessages.map((m) => m.pattern)).toContain('planted rotated failure of order <n>');
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    const bad = async (query: Record<string, string>, field: string) => {
      const { body } = await api().get('/api/logs').query(query).expect(400);
      expect(JSON.stringify(body)).toContain(field);
    };
    await bad({ level: 'loud' }, 'level');
    await bad({ cursor: 'not-a-cursor' }, 'cursor');
    await bad({ from: '2026-12-07T10:00:00Z', to: '2026-12-07T09:00:00Z' }, 'from');
    await bad({ from: 'yesterday' }, 'from');
    await api().put('/api/logs/level').send({ level: 'chatty' }).expect(400);
  });

  it('changes the log level at runtime, audited', async () => {
    expect((await api().put('/api/logs/level').send({ level: 'debug' }).expect(200)).body).toEqual({
      level: 'debug',
      previous: 'warn',
      atStart: 'warn',
    });
    new Logger('Planted').debug('planted debug line');
    await expect.poll(async () => (await logs({ text: 'planted debug line' })).items.length, { timeout: 10_000 }).toBe(1);
    expect((await api().get('/api/logs/level').expect(200)).body).toMatchObject({ level: 'debug', atStart: 'warn' });
    await api().put('/api/logs/level').send({ level: 'warn' }).expect(200);
    new Logger('Planted').debug('planted second debug line');
    new Logger('Planted').warn('planted marker after the level went back');
    await expect.poll(async () => (await logs({ text: 'planted marker' })).items.length, { timeout: 10_000 }).toBe(1);
    expect((await logs({ text: 'planted second debug line' })).items).toEqual([]);
    const audit = (await api().get('/api/audit').expect(200)).body as { items: Array<{ action: string; details: unknown }> };
    expect(audit.items.filter((a) => a.action === 'log_level.changed').map((a) => a.details)).toEqual([
      { from: 'debug', to: 'warn' },
      { from: 'warn', to: 'debug' },
    ]);
  });

  it('a burst of errors is one spike alert and one "resolved", and one group in GET /api/errors', async () => {
    const told: string[] = [];
    const subscription = t.app.get(EventBus).subscribe((event: unknown) => {
      if (event instanceof ErrorSpikeDetectedEvent) told.push('detected');
      if (event instanceof ErrorSpikeResolvedEvent) told.push('resolved');
    });
    try {
      const burst = SPIKE_THRESHOLD * 3;
      for (let i = 0; i < burst; i++)
        RequestContext.run(`req-burst-${i}`, () => new Logger('Burst').error(`payment feed ${i} failed with code ${1000 + i}`));
      await expect.poll(() => told, { timeout: 15_000, interval: 100 }).toEqual(['detected', 'resolved']);
      const notifications = async () =>
        (
          (await api().get('/api/notifications').query({ limit: 100 }).expect(200)).body as {
            items: Array<{ type: string; data: Record<string, unknown> }>;
          }
        ).items.filter((n) => n.type.startsWith('errors.'));
      await expect
        .poll(async () => (await notifications()).map((n) => n.type).toSorted((a, b) => a.localeCompare(b)), { timeout: 10_000 })
        .toEqual(['errors.resolved', 'errors.spike']);
      const spike = (await notifications()).find((n) => n.type === 'errors.spike')!;
      expect(spike.data).toMatchObject({
        threshold: SPIKE_THRESHOLD,
        windowSeconds: 2,
        topError: expect.stringContaining('[Burst] payment feed <n> failed'),
      });

      const page = (await api().get('/api/errors').query({ level: 'error' }).expect(200)).body as {
        items: Array<{
          context: string | null;
          pattern: string;
          lastHour: number;
          lastDay: number;
          sample: { message: string; requestId: string };
        }>;
        spiking: boolean;
      };
      const burstGroups = page.items.filter((g) => g.context === 'Burst');
      expect(burstGroups).toHaveLength(1);
      expect(burstGroups[0]).toMatchObject({
        pattern: 'payment feed <n> failed with code <n>',
        lastHour: burst,
        lastDay: burst,
        sample: { message: `payment feed ${burst - 1} failed with code ${1000 + burst - 1}`, requestId: `req-burst-${burst - 1}` },
      });
      expect(page.spiking).toBe(false);
      expect(told).toEqual(['detected', 'resolved']);
    } finally {
      subscription.unsubscribe();
    }
  }, 40_000);

  it('adds the scheduler, outbox and exchange-data lines to /api/health', async () => {
    const { body } = await api().get('/api/health').expect(200);
    expect(body.details.scheduler).toMatchObject({ status: 'up', maxAgeSeconds: 30 });
    expect(body.details.outbox).toMatchObject({ status: 'up', lagSeconds: 0, deadLetters: 0, maxLagSeconds: 60 });
    expect(body.details.exchangeData).toMatchObject({ status: 'up', maxAgeSeconds: 60 });
  });
});

describe.each(TEST_DRIVERS)('error groups across a restart on %s', (driver) => {
  it('GET /api/errors shows the errors of the last 24 hours read back from the log files at start', async () => {
    const data = await tempDir();
    const at = new Date(Date.now() - 2 * HOUR_MS);
    const old = new Date(Date.now() - 30 * HOUR_MS);
    await mkdir(join(data.path, 'logs'), { recursive: true });
    const line = (when: Date, message: string, requestId: string) =>
      JSON.stringify({ level: 'error', message, context: 'BeforeRestart', correlationId: requestId, timestamp: when.toISOString() });
    await writeFile(
      join(data.path, 'logs', `tradedesk-${at.toISOString().slice(0, 10)}.log.3.gz`),
      gzipSync(
        [
          line(old, 'reconcile of order 1 failed', 'req-old'),
          line(at, 'reconcile of order 2 failed', 'req-2'),
          line(at, 'reconcile of order 3 failed', 'req-3'),
        ].join('\n'),
      ),
    );
    const t = await bootTestApp({ database: driver, dataDir: data.path });
    try {
      const page = (await request(t.url).get('/api/errors').set('Authorization', t.auth).expect(200)).body as {
        items: Array<{ context: string; pattern: string; lastDay: number; lastHour: number; sample: { requestId: string } }>;
      };
      expect(page.items.filter((g) => g.context === 'BeforeRestart')).toEqual([
        expect.objectContaining({
          pattern: 'reconcile of order <n> failed',
          lastDay: 2,
          lastHour: 0,
          sample: expect.objectContaining({ requestId: 'req-3' }),
        }),
      ]);
    } finally {
      await t.close();
      await data.remove();
    }
  });
});
