import fc from 'fast-check';
import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { exitAmount, exitLimitPrice, liquidatesPosition, sizedFromPosition } from './exit-order.js';

const position = (quantity: string, available = quantity) => ({ quantity: dec(quantity), available: dec(available) });

describe('exit order terms', () => {
  it('a fixed amount is the amount while the position holds it', () => {
    expect(sizedFromPosition({ amount: '0.25' })).toBe(false);
    expect(exitAmount({ amount: '0.25' }, position('3')).toFixed()).toBe('0.25');
  });

  it('all is the whole position, a percentage its share', () => {
    expect(exitAmount({ amount: 'all' }, position('1.5')).toFixed()).toBe('1.5');
    expect(exitAmount({ amount: '40%' }, position('1.5')).toFixed()).toBe('0.6');
    expect(exitAmount({ amount: '40%' }, position('0')).toFixed()).toBe('0');
  });

  it('never sells more than the position still holds: a second exit shrinks to the rest, or to nothing', () => {
    // Two stops of 0.004 on a 0.005089 position: the first took 0.004 (still on its way to the exchange).
    expect(exitAmount({ amount: '0.004' }, position('0.005089', '0.001089')).toFixed()).toBe('0.001089');
    expect(exitAmount({ amount: 'all' }, position('0.005089', '0')).toFixed()).toBe('0');
    expect(exitAmount({ amount: '0.004' }, position('0', '0')).toFixed()).toBe('0');
  });

  it('a percentage of a position never exceeds what it holds and scales linearly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10 ** 9 }), (percent, units) => {
        const quantity = dec(units).div(10 ** 8);
        const amount = exitAmount({ amount: `${percent}%` }, { quantity, available: quantity });
        expect(amount.lte(quantity)).toBe(true);
        expect(amount.times(100).eq(quantity.times(percent))).toBe(true);
      }),
    );
  });

  it('all and balance are liquidations, at market or at a limit; a percentage never is', () => {
    expect(liquidatesPosition({ amount: 'all' })).toBe(true);
    expect(liquidatesPosition({ amount: 'balance' })).toBe(true);
    expect(liquidatesPosition({ amount: '100%' })).toBe(false);
    expect(liquidatesPosition({ amount: '0.1' })).toBe(false);
  });

  it('a limit exit sits limitOffset percent below its trigger', () => {
    expect(exitLimitPrice({ limitOffset: dec('0.5') }, dec(100)).toFixed()).toBe('99.5');
    expect(exitLimitPrice({ limitOffset: null }, dec(100)).toFixed()).toBe('100');
  });
});
