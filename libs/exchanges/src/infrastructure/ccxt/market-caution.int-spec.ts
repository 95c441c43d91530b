import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BINANCE_ACCOUNT,
  RELAXED_RATE_LIMITS,
  type SimHarness,
  startSimHarness,
  UPBIT_ACCOUNT,
} from '../../../../../test/support/sim-harness.js';
import { BinanceGateway } from './binance.gateway.js';
import { UpbitGateway } from './upbit.gateway.js';

let harness: SimHarness;

beforeAll(async () => {
  harness = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
});
afterAll(async () => {
  await harness.close();
});
beforeEach(async () => {
  await harness.control('POST', '/reset');
});

const upbit = () =>
  UpbitGateway.create({
    mode: 'sim',
    simUrl: harness.url,
    credentials: { apiKey: UPBIT_ACCOUNT.apiKey, secret: UPBIT_ACCOUNT.secret },
    timeoutMs: 2000,
  });
const flag = (symbol: string, notice: { warning?: boolean; cautions?: string[] }) =>
  harness.control('POST', '/market-notice', { exchange: 'upbit', symbol, ...notice });
const marketListRequests = async (): Promise<number> => {
  const counts = await harness.control<{ requests: Record<string, number> }>('GET', '/requests?exchange=upbit');
  return Object.entries(counts.requests)
    .filter(([path]) => path.includes('/market/all'))
    .reduce((sum, [, n]) => sum + n, 0);
};

describe("Upbit's caution flag on the Market the gateways answer", () => {
  it('reads the flag from the detailed market list; a fresh read sees it change, a cached one keeps what was loaded', async () => {
    await flag('XRP/KRW', { warning: true, cautions: ['PRICE_FLUCTUATIONS'] });
    const gateway = upbit();
    try {
      expect(await gateway.market('XRP/KRW')).toMatchObject({ caution: true, cautionReasons: ['WARNING', 'PRICE_FLUCTUATIONS'] });
      expect(await gateway.market('BTC/KRW')).toMatchObject({ caution: false, cautionReasons: [] });

      await flag('XRP/KRW', { warning: false, cautions: [] });
      await flag('BTC/KRW', { cautions: ['TRADING_VOLUME_SOARING'] });
      // Markets are loaded once: without `fresh` the answer is the one loaded.
      expect((await gateway.market('XRP/KRW')).caution).toBe(true);
      await harness.control('DELETE', '/requests');
      expect(await gateway.market('XRP/KRW', { fresh: true })).toMatchObject({ caution: false, cautionReasons: [] });
      expect(await gateway.market('BTC/KRW')).toMatchObject({ caution: true, cautionReasons: ['TRADING_VOLUME_SOARING'] });
      // One fresh read is one request of the market list, however many ask for it at once.
      await Promise.all([gateway.market('BTC/KRW', { fresh: true }), gateway.market('ETH/KRW', { fresh: true })]);
      expect(await marketListRequests()).toBe(2);
    } finally {
      await gateway.close();
    }
  });

  it('is false on every Binance market', async () => {
    const gateway = BinanceGateway.create({
      mode: 'sim',
      simUrl: harness.url,
      credentials: { apiKey: BINANCE_ACCOUNT.apiKey, secret: BINANCE_ACCOUNT.secret },
      timeoutMs: 2000,
    });
    try {
      const markets = await gateway.fetchMarkets();
      expect(markets.length).toBeGreaterThan(0);
      expect(markets.filter((m) => m.caution || m.cautionReasons.length > 0)).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});
