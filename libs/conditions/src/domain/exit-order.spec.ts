import fc from 'fast-check';
import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { exitAmount, exitLimitPrice, liquidatesPosition, sizedFromPosition } from './exit-order.js';

describe('exit order terms', () => {
  it('a fixed amount is the amount, whatever the position', () => {
    expect(sizedFromPosition({ amount: '0.25' })).toBe(false);
    expect(exitAmount({ amount: '0.25' }, dec(3)).toFixed()).toBe('0.25');
  });

  it('all is the whole position, a percentage its share', () => {
    expect(exitAmount({ amount: 'all' }, dec('1.5')).toFixed()).toBe('1.5');
    expect(exitAmount({ amount: '40%' }, dec('1.5')).toFixed()).toBe('0.6');
    expect(exitAmount({ amount: '40%' }, undefined).toFixed()).toBe('0');
  });

  it('a percentage of a position never exceeds it and scales linearly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10 ** 9 }), (percent, units) => {
        const quantity = dec(units).div(10 ** 8);
        const amount = exitAmount({ amount: `${percent}%` }, quantity);
        expect(amount.lte(quantity)).toBe(true);
        expect(amount.times(100).eq(quantity.times(percent))).toBe(true);
      }),
    );
  });

  it('only all at market is a liquidation; all at a limit is a sell of the whole position at that limit', () => {
    expect(liquidatesPosition({ amount: 'all', executionType: 'market' })).toBe(true);
    expect(liquidatesPosition({ amount: 'all', executionType: 'limit' })).toBe(false);
    expect(liquidatesPosition({ amount: '100%', executionType: 'market' })).toBe(false);
  });

  it('a limit exit sits limitOffset percent below its trigger', () => {
    expect(exitLimitPrice({ limitOffset: dec('0.5') }, dec(100)).toFixed()).toBe('99.5');
    expect(exitLimitPrice({ limitOffset: null }, dec(100)).toFixed()).toBe('100');
  });
});
