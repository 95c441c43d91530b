import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness } from '../../../../test/support/sim-harness.js';

interface UpbitMarketJson {
  market: string;
  market_warning?: string;
  market_event?: { warning: boolean; caution: Record<string, boolean> };
}

const NO_CAUTION = {
  PRICE_FLUCTUATIONS: false,
  TRADING_VOLUME_SOARING: false,
  DEPOSIT_AMOUNT_SOARING: false,
  GLOBAL_PRICE_DIFFERENCES: false,
  CONCENTRATION_OF_SMALL_ACCOUNTS: false,
};

describe("Upbit's market flags (market_warning / market_event) set through /_sim/market-notice", () => {
  let fx: SimHarness;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/reset');
  });

  const marketList = async (details: boolean): Promise<UpbitMarketJson[]> => {
    const res = await fetch(`${fx.url}/upbit/v1/market/all${details ? '?isDetails=true' : ''}`);
    expect(res.status).toBe(200);
    return (await res.json()) as UpbitMarketJson[];
  };
  const entry = async (id: string) => (await marketList(true)).find((m) => m.market === id);

  it('lists a flagged market with its warning and caution reasons, the others clear, and clears it again', async () => {
    expect(await entry('KRW-XRP')).toMatchObject({ market_warning: 'NONE', market_event: { warning: false, caution: NO_CAUTION } });

    const set = await fx.control('POST', '/market-notice', {
      exchange: 'upbit',
      symbol: 'XRP/KRW',
      warning: true,
      cautions: ['PRICE_FLUCTUATIONS'],
    });
    expect(set).toEqual({ exchange: 'upbit', symbol: 'XRP/KRW', warning: true, cautions: ['PRICE_FLUCTUATIONS'] });
    expect(await fx.control('GET', '/market-notice?exchange=upbit&symbol=KRW-XRP')).toEqual(set);
    expect(await entry('KRW-XRP')).toEqual({
      market: 'KRW-XRP',
      korean_name: '엑스알피(리플)',
      english_name: 'XRP',
      market_warning: 'CAUTION',
      market_event: { warning: true, caution: { ...NO_CAUTION, PRICE_FLUCTUATIONS: true } },
    });
    expect(await entry('KRW-BTC')).toMatchObject({ market_warning: 'NONE', market_event: { warning: false, caution: NO_CAUTION } });
    // Without isDetails Upbit lists names only.
    expect((await marketList(false)).find((m) => m.market === 'KRW-XRP')).toEqual({
      market: 'KRW-XRP',
      korean_name: '엑스알피(리플)',
      english_name: 'XRP',
    });

    // A caution reason alone, without the warning designation, is a flag too; the older field stays NONE.
    await fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'KRW-XRP', cautions: ['TRADING_VOLUME_SOARING'] });
    expect(await entry('KRW-XRP')).toMatchObject({
      market_warning: 'NONE',
      market_event: { warning: false, caution: { ...NO_CAUTION, TRADING_VOLUME_SOARING: true } },
    });

    await fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'XRP/KRW', warning: false, cautions: [] });
    expect(await entry('KRW-XRP')).toMatchObject({ market_warning: 'NONE', market_event: { warning: false, caution: NO_CAUTION } });
  });

  it('a reset clears every flag', async () => {
    await fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'ETH/KRW', warning: true });
    expect(await entry('KRW-ETH')).toMatchObject({ market_warning: 'CAUTION' });
    await fx.control('POST', '/reset');
    expect(await entry('KRW-ETH')).toMatchObject({ market_warning: 'NONE', market_event: { warning: false } });
  });

  it('refuses Binance markets, unknown reasons and non-boolean warnings with a 400 naming the field, and unknown markets with a 404', async () => {
    await expect(fx.control('POST', '/market-notice', { exchange: 'binance', symbol: 'BTC/USDT', warning: true })).rejects.toThrow(
      /400.*only Upbit flags markets/,
    );
    await expect(fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'BTC/KRW', cautions: ['RUMOURS'] })).rejects.toThrow(
      /400.*cautions: RUMOURS/,
    );
    await expect(fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'BTC/KRW', warning: 'yes' })).rejects.toThrow(
      /400.*warning must be true or false/,
    );
    await expect(fx.control('POST', '/market-notice', { exchange: 'upbit', symbol: 'NOPE/KRW', warning: true })).rejects.toThrow(/404/);
    expect(await entry('KRW-BTC')).toMatchObject({ market_warning: 'NONE' });
  });
});
