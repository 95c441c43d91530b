import { dec, type Decimal } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakEvenPrice, type ExitGrid, exitsFromFill, splitByShares } from './exit-plan.js';

const binance = (minNotional: string): ExitGrid => ({
  market: { quote: 'USDT', priceStep: dec('0.01'), amountStep: dec('0.0001') },
  capabilities: { priceStepRule: 'tick-size' },
  placeable: (amount: Decimal, price: Decimal) => amount.times(price).gte(minNotional),
});
const upbit: ExitGrid = {
  market: { quote: 'KRW', amountStep: dec('0.00000001') },
  capabilities: { priceStepRule: 'krw-price-table' },
  placeable: (amount, price) => amount.times(price).gte(5000),
};

describe('splitByShares', () => {
  it('always adds up to the whole, every part but the last on the step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        (units, weights) => {
          const total = dec(units).times('0.0001');
          const sum = weights.reduce((a, b) => a + b, 0);
          const shares = weights.map((w) => dec(w).times(100).div(sum));
          shares[shares.length - 1] = dec(100).minus(shares.slice(0, -1).reduce((a, b) => a.plus(b), dec(0)));
          const parts = splitByShares(total, shares, dec('0.0001'));
          expect(parts.reduce((a, b) => a.plus(b), dec(0)).eq(total)).toBe(true);
          for (const part of parts.slice(0, -1)) expect(part.mod('0.0001').isZero()).toBe(true);
          for (const part of parts) expect(part.gte(0)).toBe(true);
        },
      ),
    );
  });
});

describe('exitsFromFill', () => {
  it('puts the stop and targets at their percentages from the actual average fill, snapped away from it', () => {
    const plan = exitsFromFill(
      { stopLoss: { triggerPercent: '2' }, takeProfit: { triggerPercent: '3' } },
      { average: dec('70123000'), net: dec('0.0071') },
      upbit,
    );
    expect(plan.exits.map((e) => [e.role, e.triggerPrice!.toFixed(), e.amount.toFixed()])).toEqual([
      ['stop_loss', '68720000', '0.0071'],
      ['take_profit', '72227000', '0.0071'],
    ]);
  });

  it('splits a ladder by its shares, and a rung below the minimum order is sold with the next one', () => {
    const ladder = {
      takeProfit: {
        ladder: [
          { offsetPercent: '1', sizePercent: '10' },
          { offsetPercent: '2', sizePercent: '45' },
          { offsetPercent: '3', sizePercent: '45' },
        ],
      },
    };
    const roomy = exitsFromFill(ladder, { average: dec('3000'), net: dec('1') }, binance('5'));
    expect(roomy.exits.map((e) => e.amount.toFixed())).toEqual(['0.1', '0.45', '0.45']);
    const tight = exitsFromFill(ladder, { average: dec('3000'), net: dec('0.01') }, binance('10'));
    expect(tight.exits.map((e) => [e.rung, e.amount.toFixed()])).toEqual([
      [2, '0.0055'],
      [3, '0.0045'],
    ]);
    expect(tight.notes[0].field).toBe('exits.takeProfit.ladder[0]');
  });

  it('plans nothing when nothing was received', () => {
    expect(exitsFromFill({ stopLoss: { triggerPercent: '2' } }, { average: dec('1'), net: dec(0) }, binance('5')).exits).toEqual([]);
  });
});

describe('breakEvenPrice', () => {
  it('is what was paid per coin received plus the exit fee, snapped up', () => {
    // 100.1 USDT paid for 0.001998 BTC is 50100.10… a coin; over (1 − 0.1 %) for the exit fee 50150.25… → 50150.26
    expect(breakEvenPrice(dec('100.1'), dec('0.001998'), dec('0.001'), binance('5')).toFixed()).toBe('50150.26');
  });
});
