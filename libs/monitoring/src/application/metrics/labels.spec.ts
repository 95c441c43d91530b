import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { label, OTHER } from './labels.js';

describe('metric labels', () => {
  it('take one of a few fixed values whatever the input', () => {
    const seen = new Map<string, Set<string>>();
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer(), (text, n) => {
        const values: Record<string, string> = {
          exchange: label.exchange(text),
          endpoint: label.endpoint(text),
          lane: label.lane(text),
          method: label.method(text),
          side: label.side(text),
          kind: label.kind(text),
          channel: label.channel(text),
          status: label.status(n),
          errorClass: label.errorClass(text),
          cache: label.cache(`${text}`),
        };
        for (const [name, value] of Object.entries(values)) seen.set(name, (seen.get(name) ?? new Set()).add(value));
      }),
    );
    for (const [name, values] of seen) if (name !== 'status' && name !== 'cache') expect(values, name).toEqual(new Set([OTHER]));
  });

  it('keep the known values and only the fixed prefix of a cache key', () => {
    expect(label.exchange('binance')).toBe('binance');
    expect(label.method('get')).toBe('GET');
    expect(label.status(404)).toBe('404');
    expect(label.status(1234)).toBe(OTHER);
    expect(label.errorClass('EXCHANGE.RATE_LIMITED')).toBe('rate_limited');
    expect(label.errorClass('EXCHANGE.SOMETHING_NEW')).toBe(OTHER);
    expect(label.cache('exchanges:ticker:binance:sim:BTC/USDT')).toBe('exchanges:ticker');
    expect(label.cache('BTC/USDT')).toBe(OTHER);
  });
});
