/* eslint-disable @typescript-eslint/no-explicit-any */
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('sim mode at start (what npm start shows a new user)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootTestApp({ database: 'sqlite', env: { SIM: 'auto', SIM_PORT: '0' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${app.url}/api${path}`, { headers: { Authorization: app.auth } });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('starts the emulator in process and creates the two seeded sim accounts', async () => {
    const { status, body } = await get('/accounts');
    expect(status).toBe(200);
    expect(
      (body as Array<{ label: string; mode: string; exchange: string }>)
        .map((a: { label: string; mode: string; exchange: string }) => [a.exchange, a.mode, a.label])
        .sort(([exchangeA], [exchangeB]) => exchangeA.localeCompare(exchangeB)),
    ).toEqual([
      ['binance', 'sim', 'Binance (sim)'],
      ['upbit', 'sim', 'Upbit (sim)'],
    ]);
  });

  it('shows the seeded balances', async () => {
    const accounts = (await get('/accounts')).body as Array<{ id: string; exchange: string }>;
    const binance = accounts.find((a) => a.exchange === 'binance')!;
    const upbit = accounts.find((a) => a.exchange === 'upbit')!;
    const binanceBalances = (await get(`/accounts/${binance.id}/balances`)).body as unknown as {
      balances: Array<{ asset: string; total: string }>;
    };
    expect(binanceBalances.balances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ asset: 'USDT', total: '10000' }),
        expect.objectContaining({ asset: 'BTC', total: '0.1' }),
      ]),
    );
    const upbitBalances = (await get(`/accounts/${upbit.id}/balances`)).body as unknown as {
      balances: Array<{ asset: string; total: string }>;
    };
    expect(upbitBalances.balances).toEqual(expect.arrayContaining([expect.objectContaining({ asset: 'KRW', total: '10000000' })]));
  });

  it('reports each account reachable in /api/health', async () => {
    const { status, body } = await get('/health');
    expect(status).toBe(200);
    const exchanges = (
      body as unknown as { details: { exchanges: { status: string; accounts: Record<string, { reachable: boolean; latencyMs: number }> } } }
    ).details.exchanges;
    expect(exchanges.status).toBe('up');
    expect(Object.values(exchanges.accounts)).toHaveLength(2);
    for (const account of Object.values(exchanges.accounts)) {
      expect(account.reachable).toBe(true);
      expect(account.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('lists the supported exchanges with their capabilities', async () => {
    const { body } = await get('/exchanges');
    const upbit = (body as unknown as Array<{ id: string; capabilities: { minOrderValue: unknown; nativeStopLoss: boolean } }>).find(
      (e) => e.id === 'upbit',
    )!;
    expect(upbit.capabilities).toMatchObject({ nativeStopLoss: false, minOrderValue: { currency: 'KRW', amount: '5000' } });
  });

  it('lists markets of an exchange through its account', async () => {
    const { status, body } = await get('/markets/upbit');
    expect(status).toBe(200);
    const markets = (body as unknown as { markets: Array<{ symbol: string; priceStepRule: string; minNotional: string }> }).markets;
    expect(markets.find((m) => m.symbol === 'BTC/KRW')).toMatchObject({ priceStepRule: 'krw-price-table', minNotional: '5000' });
  });

  it('documents every exchanges route in Swagger with a summary and a response', async () => {
    const res = await fetch(`${app.url}/api/docs-json`);
    const spec = (await res.json()) as { paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>> };
    const ours = Object.entries(spec.paths).filter(([path]) => /^\/api\/(accounts|exchanges|markets|tickers|fees|premium)/.test(path));
    expect(ours.map(([path]) => path).sort((a, b) => a.localeCompare(b))).toEqual(
      [
        '/api/accounts',
        '/api/accounts/{id}',
        '/api/accounts/{id}/balances',
        '/api/exchanges',
        '/api/fees/compare',
        '/api/markets/{exchange}',
        '/api/premium',
        '/api/tickers',
      ].sort((a, b) => a.localeCompare(b)),
    );
    for (const [, operations] of ours) {
      for (const operation of Object.values(operations)) {
        expect(operation.summary).toBeTruthy();
        expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
      }
    }
  });
});
