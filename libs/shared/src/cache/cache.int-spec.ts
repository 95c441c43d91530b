import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisServer, waitFor } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResilientCache } from './resilient-cache.js';
import { bootTestApp, type TestApp } from '../../../../test/support/boot-test-app.js';

describe.each(['memory', 'redis'] as const)('ResilientCache on %s', (store) => {
  let redis: RedisServer | undefined;
  let t: TestApp;
  let cache: ResilientCache;

  beforeAll(async () => {
    if (store === 'redis') redis = await RedisServer.create();
    t = await bootTestApp({ database: 'sqlite', env: redis ? { REDIS_URL: redis.url } : {} });
    cache = t.app.get(ResilientCache);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.destroy();
  });

  it('reports its store', () => {
    expect(cache.kind).toBe(store);
  });

  it('stores values with a TTL', async () => {
    await cache.set('ticker:binance:BTC/USDT', { last: '50000.1' }, 60_000);
    expect(await cache.get('ticker:binance:BTC/USDT')).toEqual({ last: '50000.1' });
    await cache.delete('ticker:binance:BTC/USDT');
    expect(await cache.get('ticker:binance:BTC/USDT')).toBeUndefined();
  });

  it('makes one load for 100 concurrent misses of one key (single flight)', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const load = async () => {
      loads++;
      await gate;
      return { last: '51000' };
    };
    const all = Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad(`single-flight-${store}`, 60_000, load)));
    release();
    const values = await all;
    expect(loads).toBe(1);
    expect(values.every((v) => v.last === '51000')).toBe(true);
    // Now cached: another call does not load.
    await cache.getOrLoad(`single-flight-${store}`, 60_000, load);
    expect(loads).toBe(1);
  });

  it('passes a loader error to every waiting caller and caches nothing', async () => {
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('exchange down');
    };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrLoad(`fails-${store}`, 60_000, failing)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad(`fails-${store}`, 60_000, async () => 'ok')).toBe('ok');
  });
});

describe('ResilientCache when Redis goes away', () => {
  let redis: RedisServer;
  let t: TestApp;
  let cache: ResilientCache;

  beforeAll(async () => {
    redis = await RedisServer.create();
    t = await bootTestApp({ database: 'sqlite', env: { REDIS_URL: redis.url, LOG_LEVEL: 'info' } });
    cache = t.app.get(ResilientCache);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.destroy();
  });

  /** The cache's own log lines so far (the app logs JSON lines into DATA_DIR/logs). */
  const cacheLog = () =>
    readdirSync(join(t.dataDir, 'logs'))
      .filter((f) => f.endsWith('.log'))
      .flatMap((f) => readFileSync(join(t.dataDir, 'logs', f), 'utf8').split('\n'))
      .filter((line) => line.includes('"context":"ResilientCache"'));

  it('degrades to misses when Redis dies, stays ready (degraded, no internals), logs the outage once, and recovers', async () => {
    await cache.set('survives', 'yes', 60_000);
    await redis.stop();

    const started = Date.now();
    expect(await cache.get('survives')).toBeUndefined();
    await cache.set('while-down', 'x', 60_000);
    expect(await cache.getOrLoad('while-down-2', 60_000, async () => 'loaded')).toBe('loaded');
    expect(Date.now() - started).toBeLessThan(5000);

    // Every request is still served, so an orchestrator must not pull this instance.
    const ready = await request(t.url).get('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.cache).toEqual({ status: 'down' });
    expect(ready.body.details.database).toEqual({ status: 'up' });
    expect(JSON.stringify(ready.body)).not.toContain(String(redis.port));
    const full = await request(t.url).get('/api/health').set('Authorization', t.auth).expect(200);
    expect(full.body.details.cache).toMatchObject({ status: 'down', store: 'redis', message: expect.any(String) });
    await request(t.url).get('/api/health/live').expect(200);

    // An outage is one line, however many requests meet it (it used to flap: 12 down / 11 up in 15 requests).
    for (let n = 0; n < 15; n++) {
      await cache.getOrLoad(`during-outage-${n}`, 60_000, async () => n);
      await cache.set(`written-${n}`, n, 60_000);
      await request(t.url).get('/api/health/ready').expect(200);
    }
    await waitFor(() => cacheLog().some((l) => l.includes('cache unavailable')), 'the outage log line', 5000);
    expect(cacheLog().filter((l) => l.includes('cache unavailable'))).toHaveLength(1);
    expect(cacheLog().filter((l) => l.includes('available again'))).toHaveLength(0);

    await redis.start();
    await expect
      .poll(async () => (await request(t.url).get('/api/health/ready')).body.status, { timeout: 15_000, interval: 100 })
      .toBe('ok');
    await expect
      .poll(
        async () => {
          await cache.set('back', 'again', 60_000);
          return cache.get('back');
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe('again');
    await waitFor(() => cacheLog().some((l) => l.includes('available again')), 'the recovery log line', 5000);
    expect(cacheLog().filter((l) => l.includes('cache unavailable'))).toHaveLength(1);
    expect(cacheLog().filter((l) => l.includes('available again'))).toHaveLength(1);
  });
});
