import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExchangeSim, SEEDED_SIM_ACCOUNTS, startExchangeSim } from '@tradedesk/exchange-sim';
import { bootTestApp, type TestApp, TEST_DRIVERS, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  highWaterMark: string | null;
  timeline: Array<{ event: string; price: string | null; trigger: string | null; details: Record<string, unknown> | null }>;
}

async function startSim(): Promise<{ sim: RunningExchangeSim; dir: string; setPrice: (e: string, s: string, p: string) => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'td-cond-sim-'));
  const sim = await startExchangeSim({
    port: 0,
    dataDir: dir,
    feed: 'manual',
    tickMs: 0,
    accounts: SEEDED_SIM_ACCOUNTS,
    book: { binance: { spreadBps: 0, levelQuoteDepth: '100000000' }, upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' } },
  });
  const setPrice = async (exchange: string, symbol: string, price: string) => {
    const res = await fetch(`${sim.url}/_sim/price`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ exchange, symbol, price }),
    });
    if (!res.ok) throw new Error(`setPrice → ${res.status}`);
  };
  await setPrice('binance', 'BTC/USDT', '50000');
  await setPrice('upbit', 'BTC/KRW', '70000000');
  await setPrice('upbit', 'USDT/KRW', '1400');
  return { sim, dir, setPrice };
}

const api = (app: TestApp) => request.agent(app.url).set('Authorization', app.auth);

async function binanceAccount(app: TestApp): Promise<string> {
  const res = await api(app).get('/api/accounts').expect(200);
  const list = (Array.isArray(res.body) ? res.body : res.body.items) as Array<{ id: string; exchange: string }>;
  return list.find((a) => a.exchange === 'binance')!.id;
}

async function condition(app: TestApp, id: string): Promise<ConditionBody> {
  return (await api(app).get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
}

describe.each(TEST_DRIVERS)('conditions across a restart on %s', (driver) => {
  let env: Awaited<ReturnType<typeof startSim>>;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp | undefined;
  beforeAll(async () => {
    env = await startSim();
    data = await tempDir();
  });
  afterAll(async () => {
    await app?.close();
    await env?.sim.close();
    rmSync(env.dir, { recursive: true, force: true });
    await data?.remove();
  });

  it('keeps armed stops and the high-water mark; a trigger crossed while down fires (policy fire) or is MISSED (skip)', async () => {
    const boot = (databaseUrl?: string) =>
      bootTestApp({
        database: driver,
        dataDir: data.path,
        ...(databaseUrl ? { databaseUrl } : {}),
        env: { SIM: 'on', SIM_URL: env.sim.url, TICK_MS: '100', ORDER_POLL_MS: '200' },
      });
    app = await boot();
    const accountId = await binanceAccount(app);
    await api(app).post('/api/orders').send({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).expect(201);
    const arm = async (body: Record<string, unknown>) =>
      (
        (
          await api(app!)
            .post('/api/conditions')
            .send({ accountId, symbol: 'BTC/USDT', amount: '0.001', ...body })
            .expect(201)
        ).body as ConditionBody
      ).id;
    const trailing = await arm({ kind: 'trailing_stop', trailPercent: '10' });
    const fire = await arm({ kind: 'stop_loss', triggerPrice: '45000' });
    const skip = await arm({ kind: 'stop_loss', triggerPrice: '46000', onDowntime: 'skip' });
    await env.setPrice('binance', 'BTC/USDT', '60000');
    await expect.poll(async () => (await condition(app!, trailing)).highWaterMark, { timeout: 10_000, interval: 50 }).toBe('60000');
    const databaseUrl = app.databaseUrl;
    await app.close();
    app = undefined;

    await env.setPrice('binance', 'BTC/USDT', '44000');
    app = await boot(databaseUrl);
    await expect.poll(async () => (await condition(app!, trailing)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    await expect.poll(async () => (await condition(app!, fire)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    await expect.poll(async () => (await condition(app!, skip)).status, { timeout: 15_000, interval: 50 }).toBe('MISSED');
    const t = (await condition(app, trailing)).timeline.find((e) => e.event === 'triggered')!;
    // Had H been reset at restart, the trigger would be 39600 and 44000 would not fire it.
    expect([t.price, t.trigger]).toEqual(['44000', '54000']);
    expect(t.details).toMatchObject({ crossedWhileDown: true, policy: 'fire' });
    expect((await condition(app, skip)).orderIds).toEqual([]);
    expect((await condition(app, fire)).orderIds).toHaveLength(1);
  });
});
