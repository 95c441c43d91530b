import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBook } from './book.js';
import { Dec, floorToStep, isMultipleOf } from './decimal.js';
import { MarketCatalog, tickFor, upbitKrwTick } from './markets.js';

const TABLE: Array<[number, string]> = [
  [1_000_000, '1000'],
  [500_000, '500'],
  [100_000, '100'],
  [50_000, '50'],
  [10_000, '10'],
  [5_000, '5'],
  [100, '1'],
  [10, '0.1'],
  [1, '0.01'],
  [0.1, '0.001'],
  [0.01, '0.0001'],
  [0.001, '0.00001'],
  [0.0001, '0.000001'],
];

/** Prices from 0.0001 KRW to 1e10 KRW with up to 8 decimals. */
const krwPrice = fc.bigInt({ min: 10_000n, max: 1_000_000_000_000_000_000n }).map((units) => new Dec(units.toString()).div(1e8));

describe('Upbit KRW price steps', () => {
  it('follows the table at its boundaries', () => {
    for (const [floor, step] of TABLE) {
      expect(upbitKrwTick(new Dec(floor)).toFixed()).toBe(step);
      expect(upbitKrwTick(new Dec(floor).minus('0.00000001')).lessThan(step)).toBe(true);
    }
  });

  it('gives every price the step of the highest band it reaches', () => {
    fc.assert(
      fc.property(krwPrice, (price) => {
        const band = TABLE.find(([floor]) => price.greaterThanOrEqualTo(floor));
        expect(upbitKrwTick(price).toFixed()).toBe(band ? band[1] : '0.0000001');
      }),
    );
  });

  it('rounds down to a price that is on the tick and never above the input', () => {
    fc.assert(
      fc.property(krwPrice, (price) => {
        const rounded = floorToStep(price, upbitKrwTick(price));
        expect(rounded.lessThanOrEqualTo(price)).toBe(true);
        // The rounded price may fall into a finer band; it stays a multiple of the coarser step, so it is valid there too.
        expect(isMultipleOf(rounded, upbitKrwTick(rounded))).toBe(true);
      }),
    );
  });

  it('builds synthetic books whose every level is on the tick, asks above bids', () => {
    const catalog = new MarketCatalog(3);
    const config = { spreadBps: new Dec(2), levels: 10, levelQuoteDepth: new Dec(1_000_000), levelStepBps: new Dec(3) };
    fc.assert(
      fc.property(fc.constantFrom(...catalog.all()), krwPrice, (market, price) => {
        const book = buildBook(market, price, config);
        for (const level of [...book.asks, ...book.bids]) {
          expect(isMultipleOf(level.price, tickFor(market, level.price))).toBe(true);
          expect(level.qty.greaterThan(0)).toBe(true);
        }
        if (book.bids[0]) expect(book.asks[0].price.greaterThan(book.bids[0].price)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('lists markets by exchange and symbol, with synthetic ones on request', () => {
    const catalog = new MarketCatalog(2);
    expect(catalog.bySymbolName('binance', 'btc/usdt')?.id).toBe('BTCUSDT');
    expect(catalog.get('upbit', 'KRW-SYN002')?.synthetic).toBe(true);
    expect(catalog.assets('upbit')).toEqual(expect.arrayContaining(['KRW', 'BTC', 'USDT']));
    expect(catalog.assets('upbit')).not.toContain('SYN001');
  });
});
