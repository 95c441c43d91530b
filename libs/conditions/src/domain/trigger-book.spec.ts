import { dec } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketTriggerBook, SortedBook } from './trigger-book.js';

const byText = (a: string, b: string) => a.localeCompare(b);

describe('SortedBook', () => {
  it('answers at-or-above / at-or-below / below by binary search, duplicates included', () => {
    const book = new SortedBook();
    for (const [id, k] of [
      ['a', '10'],
      ['b', '20'],
      ['c', '20'],
      ['d', '30'],
    ] as const)
      book.insert(id, dec(k));
    expect([...book.atOrAbove(dec(20))].sort(byText)).toEqual(['b', 'c', 'd']);
    expect([...book.atOrBelow(dec(20))].sort(byText)).toEqual(['a', 'b', 'c']);
    expect(book.below(dec(20))).toEqual(['a']);
    expect(book.remove('c', dec(20))).toBe(true);
    expect(book.remove('c', dec(20))).toBe(false);
    expect(book.size).toBe(3);
  });

  it('agrees with a naive scan for any keys and price (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 60 }), fc.integer({ min: 0, max: 1001 }), (keys, p) => {
        const book = new SortedBook();
        keys.forEach((k, i) => book.insert(String(i), dec(k)));
        const price = dec(p);
        const naiveAbove = keys.flatMap((k, i) => (k >= p ? [String(i)] : [])).sort(byText);
        const naiveBelow = keys.flatMap((k, i) => (k <= p ? [String(i)] : [])).sort(byText);
        expect([...book.atOrAbove(price)].sort(byText)).toEqual(naiveAbove);
        expect([...book.atOrBelow(price)].sort(byText)).toEqual(naiveBelow);
      }),
    );
  });
});

describe('MarketTriggerBook', () => {
  it('a stop fires at or below its trigger; a price that gaps through fires at once', () => {
    const book = new MarketTriggerBook();
    book.add({ id: 's1', stopPrice: dec(48000) });
    book.add({ id: 's2', stopPrice: dec(45000) });
    expect(book.observe(dec(48001)).hits).toEqual([]);
    const hits = book.observe(dec(40000)).hits;
    expect(hits.map((h) => [h.id, h.leg, h.trigger.toFixed()]).sort((a, b) => a.join().localeCompare(b.join()))).toEqual([
      ['s1', 'stop', '48000'],
      ['s2', 'stop', '45000'],
    ]);
    expect(book.size).toBe(0);
    expect(book.observe(dec(30000)).hits).toEqual([]);
  });

  it('a take-profit fires at or above; a bracket reports one leg only', () => {
    const book = new MarketTriggerBook();
    book.add({ id: 'tp', takeProfitPrice: dec(55000) });
    book.add({ id: 'br', stopPrice: dec(48000), takeProfitPrice: dec(55000) });
    expect(book.observe(dec(54999.99)).hits).toEqual([]);
    const hits = book.observe(dec(55000)).hits;
    expect(hits.map((h) => `${h.id}:${h.leg}`).sort(byText)).toEqual(['br:take_profit', 'tp:take_profit']);
  });

  it('runs the trailing example: 100 → 120 → 111 → 107.9 fires at 107.9 with trigger 108, H reported when it moves', () => {
    const book = new MarketTriggerBook();
    book.add({ id: 't', trailing: { trailPercent: dec(10) } });
    expect(book.observe(dec(100)).moved.get('t')?.toFixed()).toBe('100');
    expect(book.observe(dec(120)).moved.get('t')?.toFixed()).toBe('120');
    const flat = book.observe(dec(111));
    expect(flat.hits).toEqual([]);
    expect(flat.moved.size).toBe(0);
    expect(book.highWaterMark('t')?.toFixed()).toBe('120');
    const hit = book.observe(dec(107.9)).hits[0];
    expect([hit.id, hit.trigger.toFixed(), hit.price.toFixed()]).toEqual(['t', '108', '107.9']);
  });

  it('a trailing stop with an activation never reached never fires; a restored H is kept', () => {
    const book = new MarketTriggerBook();
    book.add({ id: 'a', trailing: { trailPercent: dec(10), activationPrice: dec(115) } });
    book.add({ id: 'r', trailing: { trailPercent: dec(10), highWaterMark: dec(115) } });
    expect(book.observe(dec(112)).hits.map((h) => h.id)).toEqual([]);
    expect(book.observe(dec(100)).hits.map((h) => [h.id, h.trigger.toFixed()])).toEqual([['r', '103.5']]);
    expect(book.has('a')).toBe(true);
  });

  it('agrees with a naive evaluation for random stops, take-profits and price paths (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ stop: fc.option(fc.integer({ min: 1, max: 100 })), tp: fc.option(fc.integer({ min: 101, max: 200 })) }), {
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 }),
        (entries, path) => {
          const book = new MarketTriggerBook();
          const live = new Map<string, { stop: number | null; tp: number | null }>();
          entries.forEach((e, i) => {
            if (e.stop === null && e.tp === null) return;
            live.set(String(i), e);
            book.add({
              id: String(i),
              ...(e.stop !== null ? { stopPrice: dec(e.stop) } : {}),
              ...(e.tp !== null ? { takeProfitPrice: dec(e.tp) } : {}),
            });
          });
          for (const p of path) {
            const got = book
              .observe(dec(p))
              .hits.map((h) => h.id)
              .sort(byText);
            const expected = [...live]
              .filter(([, e]) => (e.stop !== null && p <= e.stop) || (e.tp !== null && p >= e.tp))
              .map(([id]) => id)
              .sort(byText);
            expect(got).toEqual(expected);
            for (const id of expected) live.delete(id);
          }
        },
      ),
    );
  });
});
