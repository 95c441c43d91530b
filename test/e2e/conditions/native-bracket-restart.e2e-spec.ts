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
  firedLeg: string | null;
  nativeOrders?: { stopLoss: string | null; takeProfit: string | null };
  timeline: Array<{ event: string; details: Record<string, unknown> | null }>;
}

async function startSim(): Promise<{ sim: RunningExchangeSim; dir: string; setPrice: (e: string, s: string, p: string) => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'td-native-sim-'));
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

describe.each(TEST_DRIVERS)('a native bracket across a restart, on %s', (driver) => {
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

  it('keeps protecting while tradedesk is down: the exchange fills the stop, and the restart settles the condition DONE', async () => {
    const boot = (databaseUrl?: string) =>
      bootTestApp({
        database: driver,
        dataDir: data.path,
        ...(databaseUrl ? { databaseUrl } : {}),
        env: { SIM: 'on', SIM_URL: env.sim.url, TICK_MS: '100', ORDER_POLL_MS: '200' },
      });
    app = await boot();
    const accountId = await binanceAccount(app);
    const buy = (
      await api(app).post('/api/orders').send({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).expect(201)
    ).body as { id: string };
    await expect
      .poll(async () => ((await api(app!).get(`/api/orders/${buy.id}`).expect(200)).body as { status: string }).status, { timeout: 10_000 })
      .toBe('FILLED');
    const armed = (
      await api(app)
        .post('/api/conditions')
        .send({
          kind: 'bracket',
          accountId,
          symbol: 'BTC/USDT',
          amount: 'all',
          placement: 'native',
          stopLoss: { triggerPrice: '45000' },
          takeProfit: { triggerPrice: '56000' },
        })
        .expect(201)
    ).body as ConditionBody;
    await expect
      .poll(async () => (await condition(app!, armed.id)).nativeOrders?.stopLoss ?? null, { timeout: 10_000, interval: 50 })
      .not.toBeNull();
    const stopOrderId = (await condition(app, armed.id)).nativeOrders!.stopLoss!;
    await expect
      .poll(async () => ((await api(app!).get(`/api/orders/${stopOrderId}`).expect(200)).body as { status: string }).status, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe('OPEN');
    const databaseUrl = app.databaseUrl;
    await app.close();
    app = undefined;

    // Nobody at tradedesk is watching: the exchange triggers the stop and expires the take-profit.
    await env.setPrice('binance', 'BTC/USDT', '44000');
    const res = await fetch(`${env.sim.url}/_sim/orders?exchange=binance`);
    const atSim = ((await res.json()) as { orders: Array<{ side: string; type: string; status: string }> }).orders;
    expect(
      atSim
        .filter((o) => o.side === 'sell')
        .map((o) => `${o.type} ${o.status}`)
        .sort(),
    ).toEqual(['LIMIT_MAKER EXPIRED', 'STOP_LOSS FILLED']);

    app = await boot(databaseUrl);
    await expect.poll(async () => (await condition(app!, armed.id)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    const done = await condition(app, armed.id);
    expect(done.firedLeg).toBe('stop');
    expect(done.timeline.map((t) => t.event)).toEqual(['armed', 'placed-natively', 'triggered', 'leg-cancelled', 'done']);
    const positions = (await api(app).get('/api/positions').query({ accountId }).expect(200)).body as {
      positions: Array<{ symbol: string; quantity: string }>;
    };
    expect(positions.positions.find((p) => p.symbol === 'BTC/USDT')?.quantity ?? '0').toBe('0');
  });
});
