import { dec, Decimal, ZERO } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsufficientFunds } from '../exchange.errors.js';
import type { OrderBookLevel, PlaceOrderRequest } from '../exchange-gateway.js';
import {
  averagePrice,
  cancelPaperOrder,
  fillRestingOrder,
  type PaperClock,
  type PaperVenue,
  placePaperOrder,
  restingOrderCrossed,
} from './paper-matching.js';
import { walkBook } from './book-walk.js';
import { PaperWallet } from './paper-wallet.js';

const binance: PaperVenue = {
  exchange: 'binance',
  market: { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: dec('0.00001') },
  fee: { maker: dec('0.001'), taker: dec('0.001') },
};
const upbit: PaperVenue = {
  exchange: 'upbit',
  market: { symbol: 'BTC/KRW', base: 'BTC', quote: 'KRW', amountStep: dec('0.00000001') },
  fee: { maker: dec('0.0005'), taker: dec('0.0005') },
};

function clock(): PaperClock {
  let n = 0;
  return { now: new Date('2026-11-26T12:00:00Z'), newId: () => `id-${++n}` };
}

const level = (price: string, amount: string): OrderBookLevel => ({ price: dec(price), amount: dec(amount) });
const wallet = (balances: Record<string, string>) =>
  new PaperWallet(Object.entries(balances).map(([asset, free]) => ({ asset, free: dec(free), locked: ZERO })));
const order = (request: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  clientOrderId: 'c-1',
  ...request,
});

// Three ask levels 50,000 / 50,050 / 50,100 and the mirrored bids: a walk of 0.05 BTC crosses all three.
const book = {
  asks: [level('50000', '0.02'), level('50050', '0.01998'), level('50100', '0.01996')],
  bids: [level('49990', '0.02'), level('49940', '0.02002'), level('49890', '0.02004')],
};

describe('walking the order book', () => {
  it('takes levels best first up to the amount', () => {
    const walk = walkBook(book.asks, 'buy', { amount: dec('0.05') }, dec('0.00001'));
    expect(walk.fills.map((f) => [f.price.toFixed(), f.amount.toFixed()])).toEqual([
      ['50000', '0.02'],
      ['50050', '0.01998'],
      ['50100', '0.01002'],
    ]);
    // 1,000 + 999.999 + 502.002
    expect(walk.cost.toFixed()).toBe('2502.001');
    expect(walk.complete).toBe(true);
  });

  it('spends a quote budget in whole amount steps and stops at the limit', () => {
    const byCost = walkBook(book.asks, 'buy', { cost: dec('1500') }, dec('0.00001'));
    // 0.02 at 50,000 = 1,000; 500 left buys floor(500 / 50,050, 1e-5) = 0.00999 → 499.9995
    expect(byCost.fills.map((f) => f.amount.toFixed())).toEqual(['0.02', '0.00999']);
    expect(byCost.cost.toFixed()).toBe('1499.9995');
    expect(byCost.complete).toBe(true);

    const limited = walkBook(book.asks, 'buy', { amount: dec('0.05') }, dec('0.00001'), dec('50050'));
    expect(limited.filled.toFixed()).toBe('0.03998');
    expect(limited.complete).toBe(false);
  });

  it('reports a book too thin for the order', () => {
    const walk = walkBook(book.bids, 'sell', { amount: dec('1') }, dec('0.00001'));
    expect(walk.filled.toFixed()).toBe('0.06006');
    expect(walk.complete).toBe(false);
    expect(walkBook([], 'buy', { cost: dec('100') }, dec('0.00001')).complete).toBe(false);
  });
});

describe('paper market orders', () => {
  it('Binance buy: walks the asks, fee 0.1 % taken from the BTC received', () => {
    const w = wallet({ USDT: '10000' });
    const { order: o, trades } = placePaperOrder(binance, w, order({ amount: dec('0.05') }), book, clock());
    expect(o).toMatchObject({ status: 'closed', feeCurrency: 'BTC' });
    expect(o.cost.toFixed()).toBe('2502.001');
    expect(o.fee.toFixed()).toBe('0.00005');
    expect(trades).toHaveLength(3);
    expect(trades.every((t) => !t.maker && t.feeRate.equals('0.001'))).toBe(true);
    expect(w.free('USDT').toFixed()).toBe('7497.999');
    expect(w.free('BTC').toFixed()).toBe('0.04995');
  });

  it('Upbit buy by KRW cost: fee in KRW on top, done when the budget is spent exactly', () => {
    const w = wallet({ KRW: '1000000' });
    const deep = { asks: [level('70000000', '10')], bids: [] };
    const { order: o } = placePaperOrder(upbit, w, order({ symbol: 'BTC/KRW', cost: dec('700000') }), deep, clock());
    expect(o).toMatchObject({ status: 'closed', feeCurrency: 'KRW' });
    expect(o.amount?.toFixed()).toBe('0.01');
    expect(o.fee.toFixed()).toBe('350');
    expect(w.free('KRW').toFixed()).toBe('299650');
    expect(w.free('BTC').toFixed()).toBe('0.01');
  });

  it('Upbit ends a KRW-sized buy with unspendable KRW left as `canceled`, its fills kept (as Upbit does)', () => {
    const w = wallet({ KRW: '1000000' });
    const deep = { asks: [level('70000000', '10')], bids: [] };
    const { order: o, trades } = placePaperOrder(upbit, w, order({ symbol: 'BTC/KRW', cost: dec('10001') }), deep, clock());
    expect(o.status).toBe('canceled');
    expect(o.filled.toFixed()).toBe('0.00014287');
    expect(trades).toHaveLength(1);
    expect(w.locked('KRW').toFixed()).toBe('0');
  });

  it('sells into the bids with the fee in the quote currency', () => {
    const w = wallet({ BTC: '0.03' });
    const { order: o } = placePaperOrder(binance, w, order({ side: 'sell', amount: dec('0.03') }), book, clock());
    // 0.02 × 49,990 + 0.01 × 49,940 = 999.8 + 499.4 = 1,499.2; fee 1.4992
    expect(o.cost.toFixed()).toBe('1499.2');
    expect(o.fee.toFixed()).toBe('1.4992');
    expect(w.free('USDT').toFixed()).toBe('1497.7008');
    expect(w.free('BTC').toFixed()).toBe('0');
  });

  it('ends what the visible book cannot complete as the exchange does: Binance expired, Upbit canceled', () => {
    const w = wallet({ BTC: '1' });
    expect(placePaperOrder(binance, w, order({ side: 'sell', amount: dec('1') }), book, clock()).order.status).toBe('expired');
    const u = wallet({ BTC: '1' });
    const thin = { asks: [], bids: [level('70000000', '0.1')] };
    const { order: o } = placePaperOrder(upbit, u, order({ symbol: 'BTC/KRW', side: 'sell', amount: dec('1') }), thin, clock());
    expect(o.status).toBe('canceled');
    expect(u.free('BTC').toFixed()).toBe('0.9');
  });

  it('refuses what the free balance cannot pay, with the exchange code, and changes nothing', () => {
    const w = wallet({ KRW: '700000' });
    const deep = { asks: [level('70000000', '10')], bids: [] };
    // 700,000 + 350 fee > 700,000
    const refusal = (() => {
      try {
        placePaperOrder(upbit, w, order({ symbol: 'BTC/KRW', cost: dec('700000') }), deep, clock());
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(InsufficientFunds);
    expect((refusal as InsufficientFunds).details).toMatchObject({ exchangeCode: 'insufficient_funds_bid', asset: 'KRW' });
    expect(w.free('KRW').toFixed()).toBe('700000');
    expect(() => placePaperOrder(binance, wallet({ BTC: '0.01' }), order({ side: 'sell', amount: dec('0.02') }), book, clock())).toThrow(
      InsufficientFunds,
    );
  });
});

describe('paper limit orders', () => {
  it('rest with their funds locked, fill at the limit with the maker rate once the market crosses them', () => {
    const w = wallet({ USDT: '1000' });
    const c = clock();
    const { order: o, trades } = placePaperOrder(binance, w, order({ type: 'limit', amount: dec('0.02'), price: dec('49000') }), book, c);
    expect(trades).toEqual([]);
    expect(o.status).toBe('open');
    expect(w.locked('USDT').toFixed()).toBe('980');
    expect(w.free('USDT').toFixed()).toBe('20');

    expect(fillRestingOrder(binance, w, o, { last: dec('49500'), bid: dec('49490'), ask: dec('49510') }, c)).toEqual([]);
    const fills = fillRestingOrder(binance, w, o, { last: dec('48900'), bid: dec('48890'), ask: dec('48910') }, c);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ maker: true });
    expect(fills[0].price.toFixed()).toBe('49000');
    expect(o.status).toBe('closed');
    expect(w.locked('USDT').toFixed()).toBe('0');
    expect(w.free('USDT').toFixed()).toBe('20');
    expect(w.free('BTC').toFixed()).toBe('0.01998');
  });

  it('take what the book offers at the limit first, then rest; a cancel frees the rest of the reserve', () => {
    const w = wallet({ USDT: '3000' });
    const c = clock();
    const { order: o, trades } = placePaperOrder(binance, w, order({ type: 'limit', amount: dec('0.05'), price: dec('50050') }), book, c);
    expect(trades.map((t) => t.amount.toFixed())).toEqual(['0.02', '0.01998']);
    expect(o.status).toBe('open');
    // Reserved 0.05 × 50,050 = 2,502.5, spent 1,999.999: the resting 0.01002 × 50,050 = 501.501 plus the 1 USDT
    // saved by the 0.02 bought at 50,000 stay locked until the order ends.
    expect(w.locked('USDT').toFixed()).toBe('502.501');
    cancelPaperOrder(w, o, c.now);
    expect(o.status).toBe('canceled');
    expect(w.locked('USDT').toFixed()).toBe('0');
    expect(w.free('USDT').toFixed()).toBe('1000.001');
  });

  it('lock the Upbit fee with a bid and release what the fill did not need', () => {
    const w = wallet({ KRW: '1000000' });
    const c = clock();
    const request = order({ symbol: 'BTC/KRW', type: 'limit', amount: dec('0.01'), price: dec('69000000') });
    const { order: o } = placePaperOrder(upbit, w, request, { asks: [level('70000000', '1')], bids: [] }, c);
    expect(w.locked('KRW').toFixed()).toBe('690345');
    fillRestingOrder(upbit, w, o, { last: dec('68900000'), bid: dec('68890000'), ask: dec('68900000') }, c);
    expect(o.fee.toFixed()).toBe('345');
    expect(w.free('KRW').toFixed()).toBe('309655');
    expect(w.locked('KRW').toFixed()).toBe('0');
  });

  it.each([
    ['buy', { last: '100', ask: '100.5' }, false],
    ['buy', { last: '100', ask: '100' }, true],
    ['buy', { last: '99.99', ask: '101' }, true],
    ['buy', { last: '100' }, false],
    ['sell', { last: '100', bid: '99.5' }, false],
    ['sell', { last: '100', bid: '100' }, true],
    ['sell', { last: '100.01', bid: '99' }, true],
  ] as const)('a %s limit at 100 is crossed by %j: %s', (side, quote, crossed) => {
    const ticker = {
      last: dec(quote.last),
      ...('ask' in quote ? { ask: dec(quote.ask) } : {}),
      ...('bid' in quote ? { bid: dec(quote.bid) } : {}),
    };
    expect(restingOrderCrossed({ side, price: dec('100') }, ticker)).toBe(crossed);
  });
});

// ---- properties: decimals drawn as integers of their step, so no float is ever involved ----

const units = (min: number, max: number, step: string) => fc.integer({ min, max }).map((n) => dec(n).mul(step));
const ascendingBook = (tick: string, from: number) =>
  fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), units(1, 200_000, '0.00001')), { minLength: 0, maxLength: 12 }).map((rows) => {
    let price = from;
    return rows.map(([gap, amount]) => {
      price += gap;
      return { price: dec(price).mul(tick), amount };
    });
  });
const venues = fc.constantFrom(binance, upbit);

describe('paper fill properties', () => {
  it('a walk never overfills, never passes its limit, and its cost is the sum of its fills', () => {
    fc.assert(
      fc.property(
        ascendingBook('0.01', 4_000_000),
        units(1, 300_000, '0.00001'),
        fc.option(units(4_000_000, 4_100_000, '0.01')),
        (asks, amount, limit) => {
          const walk = walkBook(asks, 'buy', { amount }, dec('0.00001'), limit ?? undefined);
          expect(walk.filled.lessThanOrEqualTo(amount)).toBe(true);
          expect(walk.cost.equals(walk.fills.reduce((s, f) => s.plus(f.price.mul(f.amount)), ZERO))).toBe(true);
          if (limit) expect(walk.fills.every((f) => f.price.lessThanOrEqualTo(limit))).toBe(true);
          expect(walk.complete).toBe(walk.filled.equals(amount));
        },
      ),
    );
  });

  it('a market buy by cost conserves value: quote spent = filled × average + quote fee; base received = filled − base fee', () => {
    fc.assert(
      fc.property(venues, ascendingBook('0.01', 4_000_000), units(1, 50_000_000, '0.01'), (venue, asks, budget) => {
        const start = budget.mul(2);
        const w = wallet({ [venue.market.quote]: start.toFixed() });
        const { order: o, trades } = placePaperOrder(
          venue,
          w,
          order({ symbol: venue.market.symbol, cost: budget }),
          { asks, bids: [] },
          clock(),
        );
        const quoteFee = o.feeCurrency === venue.market.quote ? o.fee : ZERO;
        const baseFee = o.feeCurrency === venue.market.base ? o.fee : ZERO;
        // filled × average is the sum of the fills' values; the reported average is that over filled, cut to 18 places.
        const value = trades.reduce((s, t) => s.plus(t.price.mul(t.amount)), ZERO);
        expect(value.equals(o.cost)).toBe(true);
        expect(start.minus(w.total(venue.market.quote)).equals(value.plus(quoteFee))).toBe(true);
        if (o.filled.greaterThan(0)) expect(averagePrice(o)!.mul(o.filled).minus(o.cost).abs().lessThan('1e-12')).toBe(true);
        expect(w.total(venue.market.base).equals(o.filled.minus(baseFee))).toBe(true);
        expect(o.cost.lessThanOrEqualTo(budget)).toBe(true);
        // The order's fee is its exact fee rounded up to 1e-8, however many fills it took.
        const exact = trades.reduce((s, t) => s.plus((baseFee.isZero() ? t.price.mul(t.amount) : t.amount).mul(t.feeRate)), ZERO);
        expect(o.fee.equals(exact.toDecimalPlaces(8, Decimal.ROUND_UP))).toBe(true);
        expect(w.locked(venue.market.quote).isZero()).toBe(true);
      }),
    );
  });

  it('a market sell conserves value: base spent = filled; quote received = filled × average − fee', () => {
    fc.assert(
      fc.property(venues, ascendingBook('0.01', 4_000_000), units(1, 300_000, '0.00001'), (venue, levels, amount) => {
        const bids = [...levels].reverse();
        const w = wallet({ [venue.market.base]: amount.toFixed() });
        const { order: o } = placePaperOrder(
          venue,
          w,
          order({ symbol: venue.market.symbol, side: 'sell', amount }),
          { asks: [], bids },
          clock(),
        );
        expect(amount.minus(w.total(venue.market.base)).equals(o.filled)).toBe(true);
        expect(w.total(venue.market.quote).equals(o.cost.minus(o.fee))).toBe(true);
        expect(o.status === 'closed').toBe(o.filled.equals(amount));
      }),
    );
  });

  it('a limit buy funded to the last unit always pays from its reserve, and ends holding nothing locked', () => {
    fc.assert(
      fc.property(
        venues,
        ascendingBook('0.01', 4_000_000),
        units(1, 300_000, '0.00001'),
        units(3_900_000, 4_100_000, '0.01'),
        fc.constantFrom('crossed', 'canceled'),
        (venue, asks, amount, price, ending) => {
          // Exactly the reserve: any fill the reserve did not cover would overdraw the wallet and throw.
          const value = price.mul(amount);
          const reserve = value.plus(venue.exchange === 'upbit' ? value.mul('0.0005').toDecimalPlaces(8, Decimal.ROUND_UP) : ZERO);
          const w = wallet({ [venue.market.quote]: reserve.toFixed() });
          const c = clock();
          const placed = placePaperOrder(
            venue,
            w,
            order({ symbol: venue.market.symbol, type: 'limit', amount, price }),
            { asks, bids: [] },
            c,
          );
          const trades = [...placed.trades];
          const o = placed.order;
          if (o.status === 'open') {
            if (ending === 'crossed') trades.push(...fillRestingOrder(venue, w, o, { last: price.minus('0.01') }, c));
            else cancelPaperOrder(w, o, c.now);
          }
          expect(w.locked(venue.market.quote).isZero()).toBe(true);
          const gross = trades.reduce((s, t) => s.plus(t.price.mul(t.amount)), ZERO);
          const quoteFee = o.feeCurrency === venue.market.quote ? o.fee : ZERO;
          const baseFee = o.feeCurrency === venue.market.base ? o.fee : ZERO;
          expect(reserve.minus(w.total(venue.market.quote)).equals(gross.plus(quoteFee))).toBe(true);
          expect(w.total(venue.market.base).equals(o.filled.minus(baseFee))).toBe(true);
          expect(trades.every((t) => t.price.lessThanOrEqualTo(price))).toBe(true);
        },
      ),
    );
  });
});
