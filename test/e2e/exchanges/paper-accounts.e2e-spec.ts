import { TEST_DRIVERS, tempDir } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness } from '../../support/sim-harness.js';

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  filled: string;
  average: string | null;
  price: string | null;
  fee: string | null;
  feeCurrency: string | null;
}
interface BalanceBody {
  asset: string;
  free: string;
  locked: string;
  total: string;
}

// Endpoints that need no key; anything else the emulator logs from a paper account would be a signed call.
const PUBLIC_ENDPOINTS: Record<'binance' | 'upbit', RegExp> = {
  binance: /^GET \/api\/v3\/(exchangeInfo|ticker\/24hr|ticker\/bookTicker|ticker\/price|depth)$/,
  upbit: /^GET \/v1\/(market\/all|ticker|ticker\/all|orderbook)$/,
};

/**
 * Paper accounts as a user drives them over HTTP. The emulator stands in for the live exchanges'
 * public market data (PAPER_MARKET_DATA_URL) and is the only exchange the app can reach: sim mode
 * is off, so every request in its log comes from the paper accounts — and must be public.
 */
describe.each(TEST_DRIVERS)('paper accounts on %s', (driver) => {
  let harness: SimHarness;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp;
  let binanceId: string;
  let upbitId: string;

  const boot = (databaseUrl?: string) =>
    bootTestApp({
      database: driver,
      dataDir: data.path,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: { SIM: 'off', PAPER_MARKET_DATA_URL: harness.url, ORDER_POLL_MS: '100', TICK_MS: '100' },
    });
  const api = () => request.agent(app.url).set('Authorization', app.auth);
  const balances = async (accountId: string): Promise<Record<string, BalanceBody>> => {
    const body = (await api().get(`/api/accounts/${accountId}/balances`).expect(200)).body as { balances: BalanceBody[] };
    return Object.fromEntries(body.balances.map((b) => [b.asset, b]));
  };
  const order = async (id: string) => (await api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
  const statusOf = (id: string) => expect.poll(async () => (await order(id)).status, { timeout: 10_000, interval: 50 });
  const place = async (body: Record<string, unknown>) => (await api().post('/api/orders').send(body).expect(201)).body as OrderBody;

  beforeAll(async () => {
    // Binance: a shallow book (1,000 USDT per level, levels 0.1 % apart) so a market order walks several levels.
    // Upbit: zero spread and deep, so fills happen at the set price and the figures are easy to check by hand.
    harness = await startSimHarness({
      accounts: [],
      book: {
        binance: { spreadBps: 0, levelQuoteDepth: '1000', levelStepBps: 10, bookLevels: 20 },
        upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' },
      },
    });
    await harness.setPrice('binance', 'BTC/USDT', '50000');
    await harness.setPrice('upbit', 'BTC/KRW', '70000000');
    await harness.setPrice('upbit', 'USDT/KRW', '1400');
    data = await tempDir();
    app = await boot();
    await harness.control('DELETE', '/requests');
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
    await data?.remove();
  });

  it('opens paper accounts without keys: given or default starting balances, keys refused, assets checked', async () => {
    const keyed = await api()
      .post('/api/accounts')
      .send({ exchange: 'binance', mode: 'paper', label: 'x', apiKey: 'some-real-looking-key', secret: 'some-real-looking-secret' })
      .expect(400);
    expect(keyed.body).toMatchObject({ code: 'ACCOUNT.PAPER_TAKES_NO_KEYS' });
    const unknown = await api()
      .post('/api/accounts')
      .send({ exchange: 'upbit', mode: 'paper', label: 'x', paperBalances: { KRW: '1000', NOPE: '1' } })
      .expect(400);
    expect(unknown.body).toMatchObject({ code: 'ACCOUNT.PAPER_UNKNOWN_ASSET', details: { field: 'paperBalances.NOPE' } });
    const malformed = await api()
      .post('/api/accounts')
      .send({ exchange: 'binance', mode: 'paper', label: 'x', paperBalances: { USDT: '-5' } })
      .expect(400);
    expect(malformed.body.code).toBe('ACCOUNT.PAPER_BALANCES_INVALID');
    const sim = await api().post('/api/accounts').send({ exchange: 'binance', mode: 'sim', label: 'x' }).expect(400);
    expect(sim.body.code).toBe('REQUEST.VALIDATION_FAILED');

    const binance = await api()
      .post('/api/accounts')
      .send({ exchange: 'binance', mode: 'paper', label: 'Binance paper', paperBalances: { USDT: '10000' } })
      .expect(201);
    expect(binance.body).toMatchObject({ exchange: 'binance', mode: 'paper', label: 'Binance paper', apiKey: null });
    binanceId = binance.body.id;
    const upbit = await api().post('/api/accounts').send({ exchange: 'upbit', mode: 'paper', label: 'Upbit paper' }).expect(201);
    upbitId = upbit.body.id;

    expect(await balances(binanceId)).toEqual({ USDT: { asset: 'USDT', free: '10000', locked: '0', total: '10000' } });
    expect(await balances(upbitId)).toEqual({ KRW: { asset: 'KRW', free: '10000000', locked: '0', total: '10000000' } });
    const rekey = await api()
      .patch(`/api/accounts/${binanceId}`)
      .send({ apiKey: 'k'.repeat(20), secret: 's'.repeat(20) })
      .expect(400);
    expect(rekey.body.code).toBe('ACCOUNT.PAPER_TAKES_NO_KEYS');
    const exchanges = (await api().get('/api/exchanges').expect(200)).body as Array<{ id: string; modes: string[] }>;
    expect(exchanges.every((e) => e.modes.includes('paper'))).toBe(true);
  });

  it('a market buy walks the live book with the taker fee (Binance: in BTC)', async () => {
    // Asks 50,000 × 0.02, 50,050 × 0.01998, 50,100 × 0.01996: 0.05 BTC costs 1,000 + 999.999 + 502.002 = 2,502.001.
    const buy = await place({ accountId: binanceId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.05' });
    await statusOf(buy.id).toBe('FILLED');
    expect(await order(buy.id)).toMatchObject({ filled: '0.05', average: '50040.02', fee: '0.00005', feeCurrency: 'BTC' });
    expect(await balances(binanceId)).toEqual({
      BTC: { asset: 'BTC', free: '0.04995', locked: '0', total: '0.04995' },
      USDT: { asset: 'USDT', free: '7497.999', locked: '0', total: '7497.999' },
    });
  });

  it('a limit buy rests with its funds locked and fills at its price when the price crosses it', async () => {
    const bid = await place({ accountId: binanceId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.02', price: '49000' });
    await statusOf(bid.id).toBe('OPEN');
    expect((await balances(binanceId)).USDT).toMatchObject({ free: '6517.999', locked: '980' });

    await harness.setPrice('binance', 'BTC/USDT', '48900');
    await statusOf(bid.id).toBe('FILLED');
    // Filled at its own limit, maker fee 0.1 % of 0.02 BTC = 0.00002 BTC.
    expect(await order(bid.id)).toMatchObject({ filled: '0.02', average: '49000', fee: '0.00002', feeCurrency: 'BTC' });
    expect(await balances(binanceId)).toEqual({
      BTC: { asset: 'BTC', free: '0.06993', locked: '0', total: '0.06993' },
      USDT: { asset: 'USDT', free: '6517.999', locked: '0', total: '6517.999' },
    });
    const positions = (await api().get('/api/positions').query({ accountId: binanceId, symbol: 'BTC/USDT' }).expect(200)).body;
    expect(positions.positions).toHaveLength(1);
    // Fees in BTC reduce the quantity: 0.05 − 0.00005 + 0.02 − 0.00002; cost 2,502.001 + 980.
    expect(positions.positions[0]).toMatchObject({
      exchange: 'binance',
      quantity: '0.06993',
      costBasis: '3482.001',
      realizedPnl: '0',
      lastPrice: '48900',
    });
  });

  it('applies the live rules locally: Upbit price steps, minimum total, balance', async () => {
    // 69,500,500 KRW is not on the 1,000 KRW grid: a buy is rounded down, never up.
    const bid = await place({ accountId: upbitId, symbol: 'BTC/KRW', side: 'buy', type: 'limit', amount: '0.01', price: '69500500' });
    expect(bid.price).toBe('69500000');
    await statusOf(bid.id).toBe('OPEN');
    // 0.01 × 69,500,000 = 695,000 plus the 0.05 % fee Upbit locks with a bid.
    expect((await balances(upbitId)).KRW).toMatchObject({ locked: '695347.5' });
    await api().delete(`/api/orders/${bid.id}`).expect(200);
    await statusOf(bid.id).toBe('CANCELED');
    expect((await balances(upbitId)).KRW).toMatchObject({ free: '10000000', locked: '0' });

    const small = await api()
      .post('/api/orders')
      .send({ accountId: upbitId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '4000' });
    expect(small.status).toBe(400);
    expect(small.body.code).toBe('ORDER.BELOW_MIN_TOTAL');
    const large = await api()
      .post('/api/orders')
      .send({ accountId: upbitId, symbol: 'BTC/KRW', side: 'buy', type: 'limit', amount: '1', price: '69000000' });
    expect(large.status).toBe(400);
    expect(large.body.code).toBe('ORDER.INSUFFICIENT_BALANCE');
  });

  it('a stop-loss guards a paper position: conditions and positions work unchanged', async () => {
    // 700,000 KRW at 70,000,000 → 0.01 BTC, fee 350 KRW.
    const buy = await place({ accountId: upbitId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '700000' });
    await statusOf(buy.id).toBe('FILLED');
    expect((await balances(upbitId)).KRW).toMatchObject({ free: '9299650', locked: '0' });

    const stop = await api()
      .post('/api/conditions')
      .send({ kind: 'stop_loss', accountId: upbitId, symbol: 'BTC/KRW', triggerPrice: '69000000', amount: 'all' })
      .expect(201);
    await harness.setPrice('upbit', 'BTC/KRW', '68500000');
    await expect
      .poll(async () => (await api().get(`/api/conditions/${stop.body.id}`).expect(200)).body.status, { timeout: 15_000, interval: 50 })
      .toBe('DONE');
    // Sold 0.01 at 68,500,000 = 685,000, fee 342.5: 9,299,650 + 684,657.5.
    expect(await balances(upbitId)).toEqual({ KRW: { asset: 'KRW', free: '9984307.5', locked: '0', total: '9984307.5' } });
    const report = (await api().get('/api/positions').query({ accountId: upbitId, symbol: 'BTC/KRW' }).expect(200)).body;
    // 0.01 × (68,500,000 − 70,035,000) − 342.5 = −15,692.5, shown in whole KRW.
    expect(report.positions[0]).toMatchObject({ quantity: '0', realizedPnl: '-15693' });
  });

  it('keeps paper balances and resting orders across a restart; a resting order still fills afterwards', async () => {
    const ask = await place({ accountId: binanceId, symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.03', price: '52000' });
    await statusOf(ask.id).toBe('OPEN');
    const before = await balances(binanceId);
    expect(before.BTC).toMatchObject({ free: '0.03993', locked: '0.03' });

    const databaseUrl = app.databaseUrl;
    await app.close();
    app = await boot(databaseUrl);
    expect(await balances(binanceId)).toEqual(before);
    expect((await order(ask.id)).status).toBe('OPEN');

    await harness.setPrice('binance', 'BTC/USDT', '52100');
    await statusOf(ask.id).toBe('FILLED');
    // 0.03 × 52,000 = 1,560, maker fee 1.56 USDT.
    expect(await order(ask.id)).toMatchObject({ average: '52000', fee: '1.56', feeCurrency: 'USDT' });
    expect(await balances(binanceId)).toEqual({
      BTC: { asset: 'BTC', free: '0.03993', locked: '0', total: '0.03993' },
      USDT: { asset: 'USDT', free: '8076.439', locked: '0', total: '8076.439' },
    });
  });

  it('an Upbit market buy by KRW cost whose last KRW buy nothing ends FILLED, Upbit’s `cancel` on its timeline', async () => {
    // 100,000 KRW at 68,500,000 buys 0.00145985 BTC for 99,999.725 KRW; 0.275 KRW cannot buy 1e-8 more.
    const buy = await place({ accountId: upbitId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' });
    await statusOf(buy.id).toBe('FILLED');
    const body = (await api().get(`/api/orders/${buy.id}`).expect(200)).body as OrderBody & {
      filledCost: string;
      timeline: Array<{ event: string; details?: Record<string, unknown> }>;
    };
    expect(body).toMatchObject({ filled: '0.00145985', filledCost: '99999.725', average: '68500000' });
    expect(body.timeline.find((t) => t.event === 'filled')?.details).toMatchObject({ exchangeStatus: 'cancel' });
  });

  it('never sent a private request: only public market data in the emulator log, no order there', async () => {
    for (const exchange of ['binance', 'upbit'] as const) {
      const { requests } = await harness.control<{ requests: Record<string, number> }>('GET', `/requests?exchange=${exchange}`);
      const seen = Object.keys(requests);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((endpoint) => !PUBLIC_ENDPOINTS[exchange].test(endpoint))).toEqual([]);
      const { orders } = await harness.control<{ orders: unknown[] }>('GET', `/orders?exchange=${exchange}`);
      expect(orders).toEqual([]);
    }
  });

  it('removes a paper account with its simulated state', async () => {
    const extra = await api().post('/api/accounts').send({ exchange: 'binance', mode: 'paper', label: 'Scratch' }).expect(201);
    expect((await api().delete(`/api/accounts/${extra.body.id}`)).status).toBe(204);
    expect((await api().get(`/api/accounts/${extra.body.id}/balances`)).status).toBe(404);
  });
});
