/* eslint-disable @typescript-eslint/no-explicit-any */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { dec, NotFoundError, ValidationError } from '@tradedesk/shared';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { BINANCE_ACCOUNT, type SimHarness, startSimHarness, UPBIT_ACCOUNT } from '../../support/sim-harness.js';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';

// PostgreSQL runs with the Redis cache, SQLite with the memory cache: both cache paths carry Decimals.
describe.each(TEST_DRIVERS)('exchange accounts over HTTP (%s)', (database) => {
  let harness: SimHarness;
  let app: TestApp;

  beforeAll(async () => {
    harness = await startSimHarness({ book: { binance: { spreadBps: 0 }, upbit: { spreadBps: 0 } } });
    app = await bootTestApp({
      database,
      env: { SIM: 'on', SIM_URL: harness.url, LOG_LEVEL: 'debug', ...(database === 'postgres' ? { REDIS_URL: inject('redisUrl') } : {}) },
    });
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method,
      headers: { Authorization: app.auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  const accountOf = async (exchange: string) =>
    ((await call('GET', '/accounts')).body as any[]).find((a) => a.exchange === exchange && a.mode === 'sim');

  it('refuses bad keys with 422 EXCHANGE.AUTHENTICATION_FAILED and stores nothing', async () => {
    const before = (await call('GET', '/accounts')).body.length;
    const res = await call('POST', '/accounts', {
      exchange: 'binance',
      mode: 'sim',
      label: 'bad',
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: 'not-the-secret-at-all',
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'EXCHANGE.AUTHENTICATION_FAILED', requestId: expect.any(String) });
    expect(res.text).not.toContain('not-the-secret-at-all');
    const upbit = await call('POST', '/accounts', {
      exchange: 'upbit',
      mode: 'sim',
      label: 'bad',
      apiKey: 'unknown-access-key',
      secret: 'unknown-secret-key',
    });
    expect(upbit.status).toBe(422);
    expect(upbit.body.code).toBe('EXCHANGE.AUTHENTICATION_FAILED');
    expect((await call('GET', '/accounts')).body).toHaveLength(before);
  });

  it('adds, reads, renames and removes an account; keys are write-only and stored only as ciphertext', async () => {
    const created = await call('POST', '/accounts', {
      exchange: 'upbit',
      mode: 'sim',
      label: 'Upbit desk',
      apiKey: UPBIT_ACCOUNT.apiKey,
      secret: UPBIT_ACCOUNT.secret,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ exchange: 'upbit', mode: 'sim', label: 'Upbit desk', apiKey: '****cess' });
    for (const res of [created, await call('GET', `/accounts/${created.body.id}`), await call('GET', '/accounts')]) {
      expect(res.text).not.toContain(UPBIT_ACCOUNT.secret);
      expect(res.text).not.toContain(UPBIT_ACCOUNT.apiKey);
    }
    const rows = await app.app.get(DataSource).query(`SELECT * FROM exchange_accounts WHERE id = '${created.body.id}'`);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(UPBIT_ACCOUNT.secret);
    expect(stored).not.toContain(UPBIT_ACCOUNT.apiKey);
    expect(rows[0].secretCiphertext).toMatch(/^v1\./);

    const balances = await call('GET', `/accounts/${created.body.id}/balances`);
    expect(balances.body.balances).toEqual(expect.arrayContaining([expect.objectContaining({ asset: 'KRW' })]));
    const renamed = await call('PATCH', `/accounts/${created.body.id}`, { label: 'Upbit main' });
    expect(renamed.body.label).toBe('Upbit main');
    const badRekey = await call('PATCH', `/accounts/${created.body.id}`, { apiKey: UPBIT_ACCOUNT.apiKey, secret: 'wrong-secret-value' });
    expect(badRekey.body.code).toBe('EXCHANGE.AUTHENTICATION_FAILED');
    expect((await call('PATCH', `/accounts/${created.body.id}`, { apiKey: 'only-the-key' })).body.code).toBe('ACCOUNT.KEY_PAIR_REQUIRED');
    expect((await call('DELETE', `/accounts/${created.body.id}`)).status).toBe(204);
    const gone = await call('GET', `/accounts/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('ACCOUNT.NOT_FOUND');
  });

  it('answers every rejection with the api.md error body and a stable code', async () => {
    const invalid = await call('POST', '/accounts', { exchange: 'kraken', mode: 'sim', label: 'x', apiKey: 'k', secret: 's' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', error: 'Bad Request' });
    const paper = await call('POST', '/accounts', { exchange: 'binance', mode: 'paper', label: 'x', apiKey: 'k', secret: 's' });
    expect(paper.body.code).toBe('ACCOUNT.PAPER_TAKES_NO_KEYS');
    const simBalances = await call('POST', '/accounts', {
      exchange: 'binance',
      mode: 'sim',
      label: 'x',
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: BINANCE_ACCOUNT.secret,
      paperBalances: { USDT: '1' },
    });
    expect(simBalances.body.code).toBe('ACCOUNT.PAPER_BALANCES_NOT_ALLOWED');
    const upbitTestnet = await call('POST', '/accounts', { exchange: 'upbit', mode: 'testnet', label: 'x', apiKey: 'k', secret: 's' });
    expect(upbitTestnet.body.code).toBe('ACCOUNT.MODE_NOT_SUPPORTED');
    expect((await call('GET', '/accounts/00000000-0000-4000-8000-000000000000/balances')).body.code).toBe('ACCOUNT.NOT_FOUND');
    expect((await call('GET', '/fees/compare?base=BTC&amount=abc&side=buy')).body.code).toBe('REQUEST.VALIDATION_FAILED');
    const binance = await accountOf('binance');
    const unknownMarket = await call('GET', `/tickers?accountId=${binance.id}&symbols=NOPE/USDT`);
    expect(unknownMarket.status).toBe(404);
    expect(unknownMarket.body.code).toBe('MARKET.NOT_FOUND');
  });

  it('serves 100 concurrent ticker requests with one exchange call', async () => {
    const binance = await accountOf('binance');
    await harness.setPrice('binance', 'XRP/USDT', '0.61');
    await harness.control('DELETE', '/requests');
    const answers = await Promise.all(Array.from({ length: 100 }, () => call('GET', `/tickers?accountId=${binance.id}&symbols=XRP/USDT`)));
    expect(answers.every((a) => a.status === 200 && a.body.tickers[0].last === '0.61')).toBe(true);
    const counts = await harness.control<Record<string, number>>('GET', '/requests?exchange=binance');
    const tickerCalls = Object.entries(JSON.parse(JSON.stringify(counts)).requests ?? counts)
      .filter(([path]) => path.includes('ticker'))
      .reduce((sum, [, n]) => sum + Number(n), 0);
    expect(tickerCalls).toBe(1);
  });

  it('compares fees across venues with hand-computed numbers', async () => {
    await harness.setPrice('binance', 'BTC/USDT', '60000');
    await harness.setPrice('upbit', 'BTC/KRW', '84000000');
    await harness.setPrice('upbit', 'USDT/KRW', '1380');
    const res = await call('GET', '/fees/compare?base=BTC&amount=0.1&side=buy');
    expect(res.status).toBe(200);
    expect(res.body.usdtKrw).toBe('1380');
    const binance = res.body.venues.find((v: any) => v.exchange === 'binance');
    const upbit = res.body.venues.find((v: any) => v.exchange === 'upbit');
    // Binance: 0.1 × 60,000 = 6,000 USDT; fee 0.1 % = 6; total 6,006 USDT = 8,288,280 KRW.
    expect(binance).toMatchObject({
      symbol: 'BTC/USDT',
      averagePrice: '60000',
      feeRate: '0.001',
      fee: '6',
      total: '6006',
      totalUsdt: '6006',
      totalKrw: '8288280',
      depthSufficient: true,
    });
    // Upbit: 0.1 × 84,000,000 = 8,400,000 KRW; fee 0.05 % = 4,200; total 8,404,200 KRW = 6,090 USDT.
    expect(upbit).toMatchObject({
      symbol: 'BTC/KRW',
      averagePrice: '84000000',
      feeRate: '0.0005',
      fee: '4200',
      total: '8404200',
      totalKrw: '8404200',
      totalUsdt: '6090',
    });
    expect(res.body.best).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT' });
    const sell = await call('GET', '/fees/compare?base=BTC&amount=0.1&side=sell');
    // Sell proceeds: Binance 5,994 USDT; Upbit 8,395,800 KRW = 6,083.913… USDT → Upbit is richer.
    expect(sell.body.venues.find((v: any) => v.exchange === 'binance').total).toBe('5994');
    expect(sell.body.venues.find((v: any) => v.exchange === 'upbit').total).toBe('8395800');
    expect(sell.body.best.exchange).toBe('upbit');
  });

  it('computes the KRW premium from /_sim/price prices', async () => {
    await harness.setPrice('binance', 'BTC/USDT', '60000');
    await harness.setPrice('upbit', 'BTC/KRW', '84000000');
    await harness.setPrice('upbit', 'USDT/KRW', '1380');
    const res = await call('GET', '/premium?base=BTC');
    expect(res.status).toBe(200);
    // 84,000,000 / (60,000 × 1,380) − 1 = 1.44927…%
    expect(res.body).toMatchObject({ base: 'BTC', usdtKrw: '1380', binancePriceKrw: '82800000', premiumPercent: '1.4493' });
    expect(res.body.upbit.price).toBe('84000000');
  });

  it('refuses an order that breaks a local rule before any request reaches the exchange', async () => {
    const upbit = await accountOf('upbit');
    const binance = await accountOf('binance');
    await harness.setPrice('upbit', 'BTC/KRW', '80000000');
    const gateways = app.app.get(ExchangeGateways);
    const attempt = (accountId: string, request: any) => gateways.validateOrder(accountId, request).catch((e: unknown) => e);
    const belowTotal = await attempt(upbit.id, {
      symbol: 'BTC/KRW',
      side: 'buy',
      type: 'limit',
      amount: dec('0.000039'),
      price: dec('80000000'),
      clientOrderId: 'td-local-1',
    });
    expect(belowTotal).toBeInstanceOf(ValidationError);
    expect((belowTotal as ValidationError).code).toBe('ORDER.BELOW_MIN_TOTAL');
    expect((belowTotal as ValidationError).message).toBe('Upbit KRW orders need at least 5,000 KRW; this one is 3,120 KRW');
    const tooMuch = await attempt(binance.id, {
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: dec('1'),
      price: dec('60000'),
      clientOrderId: 'td-local-2',
    });
    expect((tooMuch as ValidationError).code).toBe('ORDER.INSUFFICIENT_BALANCE');
    const unknown = await attempt(binance.id, {
      symbol: 'NOPE/USDT',
      side: 'buy',
      type: 'limit',
      amount: dec('1'),
      price: dec('1'),
      clientOrderId: 'td-local-3',
    });
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as NotFoundError).code).toBe('MARKET.NOT_FOUND');
    const sent = await harness.control<{ orders: unknown[]; rejected: unknown[] }>('GET', '/orders?clientOrderId=td-local-1');
    expect(sent.orders).toHaveLength(0);
    expect(sent.rejected).toHaveLength(0);
    const fine = await gateways.validateOrder(upbit.id, {
      symbol: 'BTC/KRW',
      side: 'buy',
      type: 'limit',
      amount: dec('0.001'),
      price: dec('80000123'),
      clientOrderId: 'td-local-4',
    });
    expect(fine.price!.toFixed()).toBe('80000000');
  });

  it('reports an unreachable exchange per account in /api/health', async () => {
    const upbit = await accountOf('upbit');
    const binance = await accountOf('binance');
    await harness.control('POST', '/faults', { exchange: 'upbit', status: 503 });
    try {
      let health: any;
      const deadline = Date.now() + 10_000;
      do {
        health = await call('GET', '/health');
      } while (health.body.details.exchanges.accounts[upbit.id].reachable && Date.now() < deadline);
      expect(health.status).toBe(503);
      expect(health.body.details.exchanges.status).toBe('down');
      expect(health.body.details.exchanges.accounts[upbit.id]).toMatchObject({
        exchange: 'upbit',
        reachable: false,
        error: expect.stringContaining('Upbit'),
      });
      expect(health.body.details.exchanges.accounts[binance.id]).toMatchObject({ reachable: true, latencyMs: expect.any(Number) });
    } finally {
      await harness.control('DELETE', '/faults');
    }
  });

  it('never writes a key or secret into its logs', async () => {
    const logDir = join(app.dataDir, 'logs');
    const logs = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [BINANCE_ACCOUNT.secret, UPBIT_ACCOUNT.secret, 'not-the-secret-at-all', 'wrong-secret-value'])
      expect(logs).not.toContain(secret);
  });
});
