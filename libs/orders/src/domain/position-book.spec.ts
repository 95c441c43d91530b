import { dec, Decimal, ZERO } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PositionBook } from './position-book.js';

describe('PositionBook (average cost)', () => {
  it('follows a scripted sequence of buys and sells with quote fees, to the last decimal', () => {
    const book = new PositionBook('BTC', 'USDT');
    book.apply({ side: 'buy', price: dec('100'), amount: dec('1'), fee: dec('0.1'), feeCurrency: 'USDT' });
    expect(book.figures()).toMatchObject({ quantity: dec('1'), costBasis: dec('100.1') });
    expect(book.averageEntry()!.toFixed()).toBe('100.1');

    book.apply({ side: 'buy', price: dec('120'), amount: dec('1'), fee: dec('0.12'), feeCurrency: 'USDT' });
    expect(book.figures().costBasis.toFixed()).toBe('220.22');
    expect(book.averageEntry()!.toFixed()).toBe('110.11');

    book.apply({ side: 'sell', price: dec('130'), amount: dec('0.5'), fee: dec('0.065'), feeCurrency: 'USDT' });
    const f = book.figures();
    // realized = 0.5 × (130 − 110.11) − 0.065 = 9.88; cost = 220.22 − 0.5 × 110.11 = 165.165
    expect(f.realizedPnl.toFixed()).toBe('9.88');
    expect(f.costBasis.toFixed()).toBe('165.165');
    expect(f.quantity.toFixed()).toBe('1.5');
    expect(book.averageEntry()!.toFixed()).toBe('110.11');

    const v = book.valuation(dec('125'));
    // unrealized = 1.5 × (125 − 110.11) = 22.335; return = (9.88 + 22.335) / 220.22 = 14.628553… %
    expect(v.unrealizedPnl!.toFixed()).toBe('22.335');
    expect(v.returnPercent!.toDecimalPlaces(6).toFixed()).toBe('14.628553');
    expect(v.marketValue!.toFixed()).toBe('187.5');

    book.apply({ side: 'sell', price: dec('90'), amount: dec('1.5'), fee: dec('0.135'), feeCurrency: 'USDT' });
    // realized += 1.5 × (90 − 110.11) − 0.135 = −30.3; total −20.42
    expect(book.figures()).toMatchObject({ quantity: ZERO, costBasis: ZERO });
    expect(book.figures().realizedPnl.toFixed()).toBe('-20.42');
    expect(book.averageEntry()).toBeUndefined();
  });

  it('takes a fee charged in the base asset from the quantity received (Binance buys)', () => {
    const book = new PositionBook('BTC', 'USDT');
    book.apply({ side: 'buy', price: dec('50000'), amount: dec('0.01'), fee: dec('0.00001'), feeCurrency: 'BTC' });
    expect(book.figures().quantity.toFixed()).toBe('0.00999');
    expect(book.figures().costBasis.toFixed()).toBe('500');
    expect(book.averageEntry()!.toDecimalPlaces(8).toFixed()).toBe('50050.05005005');
  });

  it('keeps fees in a third currency out of PnL and reports them', () => {
    const book = new PositionBook('ETH', 'USDT');
    book.apply({ side: 'buy', price: dec('2000'), amount: dec('1'), fee: dec('0.0015'), feeCurrency: 'BNB' });
    expect(book.figures().costBasis.toFixed()).toBe('2000');
    expect(book.figures().otherFees.BNB!.toFixed()).toBe('0.0015');
  });

  it('conserves value: realized + unrealized = proceeds + holding − everything paid', () => {
    const decimal = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((n) => new Decimal(n).div(100));
    const step = fc.record({
      buy: fc.boolean(),
      price: decimal(1, 100_000),
      fraction: fc.integer({ min: 1, max: 100 }),
      amount: decimal(0.01, 10),
      feeBps: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), decimal(1, 100_000), (steps, last) => {
        const book = new PositionBook('BTC', 'KRW');
        let paid = ZERO;
        let proceeds = ZERO;
        for (const s of steps) {
          const held = book.figures().quantity;
          const amount = s.buy || held.isZero() ? s.amount : held.times(s.fraction).div(100);
          const side = s.buy || held.isZero() ? 'buy' : 'sell';
          const fee = amount.times(s.price).times(s.feeBps).div(10_000);
          book.apply({ side, price: s.price, amount, fee, feeCurrency: 'KRW' });
          if (side === 'buy') paid = paid.plus(amount.times(s.price)).plus(fee);
          else proceeds = proceeds.plus(amount.times(s.price)).minus(fee);
        }
        const f = book.figures();
        const { unrealizedPnl } = book.valuation(last);
        const lhs = f.realizedPnl.plus(unrealizedPnl!);
        const rhs = proceeds.plus(f.quantity.times(last)).minus(paid);
        expect(lhs.minus(rhs).abs().lte('1e-20')).toBe(true);
        expect(f.quantity.gte(0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
