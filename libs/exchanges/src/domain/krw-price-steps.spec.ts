import { dec, Decimal } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOnKrwPriceStep, krwPriceStep, roundToKrwPriceStep, UPBIT_KRW_PRICE_STEPS } from './krw-price-steps.js';

// Prices from 1e-6 to 1e8 KRW with up to 8 decimals, drawn as integers of 1e-8 so no float is involved.
const price = fc.bigInt({ min: 100n, max: 10_000_000_000_000_000n }).map((units) => dec(units.toString()).div(1e8));

describe('Upbit KRW price steps', () => {
  it.each([
    ['2000000', '1000'],
    ['1000000', '1000'],
    ['999999', '500'],
    ['500000', '500'],
    ['123456', '100'],
    ['50000', '50'],
    ['12345', '10'],
    ['5000', '5'],
    ['4999', '1'],
    ['100', '1'],
    ['99.9', '0.1'],
    ['10', '0.1'],
    ['9.99', '0.01'],
    ['1', '0.01'],
    ['0.5', '0.001'],
    ['0.05', '0.0001'],
    ['0.005', '0.00001'],
    ['0.0005', '0.000001'],
    ['0.00005', '0.0000001'],
  ])('price %s trades in steps of %s', (p, step) => {
    expect(krwPriceStep(dec(p)).toFixed()).toBe(step);
  });

  it('matches the table for any price inside each band', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: UPBIT_KRW_PRICE_STEPS.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (row, fraction) => {
          const { floor, step } = UPBIT_KRW_PRICE_STEPS[row];
          const ceiling = row === 0 ? floor.mul(10) : UPBIT_KRW_PRICE_STEPS[row - 1].floor;
          const inside = floor.plus(ceiling.minus(floor).mul(new Decimal(fraction.toFixed(6)))).toDecimalPlaces(8, Decimal.ROUND_DOWN);
          const p = inside.greaterThanOrEqualTo(ceiling) ? floor : inside;
          expect(krwPriceStep(p).equals(step)).toBe(true);
        },
      ),
    );
  });

  it('rounds down onto the grid, by less than one step, never above the price', () => {
    fc.assert(
      fc.property(price, (p) => {
        const rounded = roundToKrwPriceStep(p, 'down');
        expect(isOnKrwPriceStep(rounded)).toBe(true);
        expect(rounded.lessThanOrEqualTo(p)).toBe(true);
        expect(p.minus(rounded).lessThan(krwPriceStep(p))).toBe(true);
      }),
    );
  });

  it('rounds up onto the grid, by less than one step, never below the price', () => {
    fc.assert(
      fc.property(price, (p) => {
        const rounded = roundToKrwPriceStep(p, 'up');
        expect(isOnKrwPriceStep(rounded)).toBe(true);
        expect(rounded.greaterThanOrEqualTo(p)).toBe(true);
        expect(rounded.minus(p).lessThan(krwPriceStep(p))).toBe(true);
      }),
    );
  });

  it('leaves a price already on the grid unchanged either way', () => {
    fc.assert(
      fc.property(price, (p) => {
        const onGrid = roundToKrwPriceStep(p, 'down');
        expect(roundToKrwPriceStep(onGrid, 'down').equals(onGrid)).toBe(true);
        expect(roundToKrwPriceStep(onGrid, 'up').equals(onGrid)).toBe(true);
      }),
    );
  });

  it('rounds 999,999.5 up onto the next band and down inside its own', () => {
    expect(roundToKrwPriceStep(dec('999999.5'), 'up').toFixed()).toBe('1000000');
    expect(roundToKrwPriceStep(dec('999999.5'), 'down').toFixed()).toBe('999500');
    expect(isOnKrwPriceStep(dec('100050'))).toBe(false);
    expect(isOnKrwPriceStep(dec('100100'))).toBe(true);
  });
});
