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
    expect(book.figures().otherFees.BNB.toFixed()).toBe('0.0015');
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
        // Each stored figure keeps 18 places (numeric(36,18)): a rounding per step, far below any currency's unit.
        expect(lhs.minus(rhs).abs().lte('1e-12')).toBe(true);
        expect(f.quantity.gte(0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('realizes PnL only on what the position holds: the rest of a larger sell is untracked, its fee share too', () => {
    const book = new PositionBook('BTC', 'KRW');
    book.apply({ side: 'buy', price: dec('70000000'), amount: dec('0.01'), fee: dec('350'), feeCurrency: 'KRW' });
    // 0.1 BTC held before tradedesk go out with the position's 0.01: 0.11 sold at 60,000,000, fee 3,300.
    const { untracked } = book.apply({ side: 'sell', price: dec('60000000'), amount: dec('0.11'), fee: dec('3300'), feeCurrency: 'KRW' });
    expect(untracked.toFixed()).toBe('0.1');
    // 0.01 × (60,000,000 − 70,035,000) − 3,300 × 0.01/0.11 = −100,350 − 300
    expect(book.figures().realizedPnl.toFixed()).toBe('-100650');
    expect(book.figures().quantity.toFixed()).toBe('0');
    // A sell with no position at all touches nothing.
    expect(book.apply({ side: 'sell', price: dec('1'), amount: dec('5'), fee: dec('1'), feeCurrency: 'KRW' }).untracked.toFixed()).toBe(
      '5',
    );
    expect(book.figures().realizedPnl.toFixed()).toBe('-100650');
  });

  it('adopts coins at the price the user paid: they carry cost and count in the return', () => {
    const book = new PositionBook('BTC', 'KRW');
    book.adopt(dec('0.05'), dec('68000000'));
    book.apply({ side: 'buy', price: dec('70000000'), amount: dec('0.05'), fee: dec('1750'), feeCurrency: 'KRW' });
    expect(book.averageEntry()!.toFixed()).toBe('69017500');
    book.apply({ side: 'sell', price: dec('71000000'), amount: dec('0.1'), fee: dec('3550'), feeCurrency: 'KRW' });
    // 0.1 × (71,000,000 − 69,017,500) − 3,550
    expect(book.figures().realizedPnl.toFixed()).toBe('194700');
    expect(book.figures().totalBought.toFixed()).toBe('6901750');
  });

  it('restores from its stored state and goes on exactly as if it had never stopped', () => {
    const fills = [
      { side: 'buy' as const, price: dec('50000'), amount: dec('0.3'), fee: dec('15'), feeCurrency: 'USDT' },
      { side: 'sell' as const, price: dec('51000.33'), amount: dec('0.1'), fee: dec('5.1'), feeCurrency: 'USDT' },
      { side: 'buy' as const, price: dec('49000.7'), amount: dec('0.07'), fee: dec('0.00007'), feeCurrency: 'BTC' },
      { side: 'sell' as const, price: dec('52000'), amount: dec('0.27'), fee: dec('14.04'), feeCurrency: 'USDT' },
    ];
    const straight = new PositionBook('BTC', 'USDT');
    for (const f of fills) straight.apply(f);
    let resumed = new PositionBook('BTC', 'USDT');
    for (const f of fills) {
      resumed.apply(f);
      resumed = PositionBook.restore('BTC', 'USDT', resumed.state());
    }
    expect(resumed.state()).toEqual(straight.state());
  });
});
