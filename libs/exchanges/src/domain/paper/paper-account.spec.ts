import { dec, ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import type { Market } from '../exchange-gateway.js';
import { checkPaperAssets, PAPER_DEFAULT_BALANCES, paperStartingBalances } from './paper-account.js';

const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('paper starting balances', () => {
  it('default to the quote currency the sim accounts start with', () => {
    expect(PAPER_DEFAULT_BALANCES).toEqual({ binance: { USDT: '10000' }, upbit: { KRW: '10000000' } });
    expect(paperStartingBalances('upbit', undefined).KRW.toFixed()).toBe('10000000');
  });

  it('take asset codes in any case and decimal strings', () => {
    const balances = paperStartingBalances('binance', { usdt: '2500.5', BTC: '0.000000000000000001', ETH: '0' });
    expect(Object.fromEntries(Object.entries(balances).map(([a, v]) => [a, v.toFixed()]))).toEqual({
      USDT: '2500.5',
      BTC: '0.000000000000000001',
      ETH: '0',
    });
  });

  it.each([
    [{ USDT: 10000 }, 'paperBalances.USDT'],
    [{ USDT: '-1' }, 'paperBalances.USDT'],
    [{ USDT: '1e5' }, 'paperBalances.USDT'],
    [{ USDT: '0.0000000000000000001' }, 'paperBalances.USDT'],
    [{ USDT: '1000000000000000000' }, 'paperBalances.USDT'],
    [{ 'US DT': '1' }, 'paperBalances.US DT'],
    [{ usdt: '1', USDT: '2' }, 'paperBalances.USDT'],
    [{ USDT: '0' }, 'paperBalances'],
    [{}, 'paperBalances'],
  ])('refuse %j naming %s', (given, field) => {
    const error = refusal(() => paperStartingBalances('binance', given));
    expect(error.code).toBe('ACCOUNT.PAPER_BALANCES_INVALID');
    expect(error.details?.field).toBe(field);
  });

  it('must each trade on the exchange', () => {
    const markets = [{ base: 'BTC', quote: 'KRW' }] as Market[];
    expect(() => checkPaperAssets('upbit', { KRW: dec(1), BTC: dec(1) }, markets)).not.toThrow();
    const error = refusal(() => checkPaperAssets('upbit', { USDC: dec(1) }, markets));
    expect(error).toMatchObject({ code: 'ACCOUNT.PAPER_UNKNOWN_ASSET', details: { field: 'paperBalances.USDC' } });
  });
});
