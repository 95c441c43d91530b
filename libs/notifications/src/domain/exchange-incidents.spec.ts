import { describe, expect, it } from 'vitest';
import { ExchangeIncidents } from './exchange-incidents.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 0, 0, s));

describe('ExchangeIncidents', () => {
  it('opens after `threshold` failures in a row, not before, and not again while open', () => {
    const i = new ExchangeIncidents();
    expect(i.failed('binance:sim', at(0), '503', 3)).toBeUndefined();
    expect(i.failed('binance:sim', at(1), '503', 3)).toBeUndefined();
    i.succeeded('binance:sim', at(2));
    expect(i.failed('binance:sim', at(3), '503', 3)).toBeUndefined();
    expect(i.failed('binance:sim', at(4), '503', 3)).toBeUndefined();
    expect(i.failed('binance:sim', at(5), '503', 3)).toMatchObject({ kind: 'unavailable', since: at(5), failuresInARow: 3 });
    expect(i.failed('binance:sim', at(6), '503', 3)).toBeUndefined();
  });

  it('a flapping exchange resolves once, after it has answered for the whole cooldown', () => {
    const i = new ExchangeIncidents();
    i.failed('upbit:live', at(0), '503', 1);
    for (let s = 1; s <= 9; s += 2) {
      i.succeeded('upbit:live', at(s));
      expect(i.resolve(at(s + 1), () => 5000)).toEqual([]);
      i.failed('upbit:live', at(s + 1), '503', 1);
    }
    i.succeeded('upbit:live', at(20));
    expect(i.resolve(at(24), () => 5000)).toEqual([]);
    expect(i.resolve(at(25), () => 5000)).toEqual([{ kind: 'recovered', venue: 'upbit:live', since: at(0), at: at(25) }]);
    expect(i.resolve(at(30), () => 5000)).toEqual([]);
    expect(i.isOpen('upbit:live')).toBe(false);
  });

  it('an incident restored after a restart resolves on the first answers', () => {
    const i = new ExchangeIncidents();
    i.restoreOpen('binance:live', at(0));
    i.succeeded('binance:live', at(10));
    expect(i.resolve(at(15), () => 5000)).toMatchObject([{ kind: 'recovered', since: at(0) }]);
  });
});
