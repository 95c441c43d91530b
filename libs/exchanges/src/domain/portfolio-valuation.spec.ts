import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import type { Balances } from './exchange-gateway.js';
import { valueBalances } from './portfolio-valuation.js';

const balance = (asset: string, free: string, locked = '0') => ({
  asset,
  free: dec(free),
  locked: dec(locked),
  total: dec(free).plus(locked),
});

describe('valueBalances', () => {
  it('values the quote at face value and each coin at its last price against the quote', () => {
    const balances: Balances = { USDT: balance('USDT', '1000.5'), BTC: balance('BTC', '0.1', '0.05'), ETH: balance('ETH', '2') };
    const valued = valueBalances(
      balances,
      'USDT',
      new Map([
        ['BTC', dec('60000')],
        ['ETH', dec('3000.25')],
      ]),
    );
    // 1,000.5 + 0.15 × 60,000 + 2 × 3,000.25 = 1,000.5 + 9,000 + 6,000.5
    expect(valued.value.toFixed()).toBe('16001');
    expect(valued.unvalued).toEqual([]);
    expect(valued.assets.map((a) => [a.asset, a.value?.toFixed(), a.price?.toFixed()])).toEqual([
      ['BTC', '9000', '60000'],
      ['ETH', '6000.5', '3000.25'],
      ['USDT', '1000.5', undefined],
    ]);
  });

  it('names the coins it cannot price and leaves them out of the total', () => {
    const valued = valueBalances({ KRW: balance('KRW', '5000000'), LUNA: balance('LUNA', '12') }, 'KRW', new Map());
    expect(valued.value.toFixed()).toBe('5000000');
    expect(valued.unvalued).toEqual(['LUNA']);
    expect(valued.assets.find((a) => a.asset === 'LUNA')?.value).toBeUndefined();
  });
});
