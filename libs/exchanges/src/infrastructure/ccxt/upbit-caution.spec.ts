import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { upbitCautionOf } from './upbit-caution.js';

/** Parsed by ccxt's own Upbit market parser, so the test reads `info` exactly where the gateway does. */
function parsedInfo(entry: Record<string, unknown>): unknown {
  const market = new ccxt.upbit().parseMarket(entry);
  if (!market?.info) throw new Error(`ccxt kept no info for ${JSON.stringify(entry)}`);
  return market.info;
}

const CLEAR = {
  PRICE_FLUCTUATIONS: false,
  TRADING_VOLUME_SOARING: false,
  DEPOSIT_AMOUNT_SOARING: false,
  GLOBAL_PRICE_DIFFERENCES: false,
  CONCENTRATION_OF_SMALL_ACCOUNTS: false,
};

describe("reading Upbit's caution flag from a ccxt market's info", () => {
  it('is clear when neither field flags the market', () => {
    expect(
      upbitCautionOf(parsedInfo({ market: 'KRW-BTC', market_warning: 'NONE', market_event: { warning: false, caution: CLEAR } })),
    ).toEqual({ caution: false, reasons: [] });
  });

  it('reads the investment-warning designation from either field', () => {
    expect(upbitCautionOf(parsedInfo({ market: 'KRW-XRP', market_warning: 'CAUTION' }))).toEqual({ caution: true, reasons: ['WARNING'] });
    expect(upbitCautionOf(parsedInfo({ market: 'KRW-XRP', market_event: { warning: true, caution: CLEAR } }))).toEqual({
      caution: true,
      reasons: ['WARNING'],
    });
  });

  it('lists each caution reason set, after the designation', () => {
    const info = parsedInfo({
      market: 'KRW-SOL',
      market_warning: 'CAUTION',
      market_event: { warning: true, caution: { ...CLEAR, PRICE_FLUCTUATIONS: true, GLOBAL_PRICE_DIFFERENCES: true } },
    });
    expect(upbitCautionOf(info)).toEqual({ caution: true, reasons: ['WARNING', 'PRICE_FLUCTUATIONS', 'GLOBAL_PRICE_DIFFERENCES'] });
  });

  it('is clear for an entry listed without details, and for odd shapes rather than failing', () => {
    expect(upbitCautionOf(parsedInfo({ market: 'KRW-BTC', korean_name: '비트코인', english_name: 'Bitcoin' }))).toEqual({
      caution: false,
      reasons: [],
    });
    expect(upbitCautionOf(undefined)).toEqual({ caution: false, reasons: [] });
    expect(upbitCautionOf({ market_event: null, market_warning: 'NONE' })).toEqual({ caution: false, reasons: [] });
    // Only a real `true` counts: a string "true" is not Upbit's shape and must not flag a market.
    expect(upbitCautionOf({ market_event: { warning: 'true', caution: { PRICE_FLUCTUATIONS: 'true' } } })).toEqual({
      caution: false,
      reasons: [],
    });
  });
});
