import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { premiumOf } from './condition-engine.js';
import { parseAmount } from './arming-checks.js';

describe('premiumOf', () => {
  it('is the Upbit KRW price over the Binance USDT price × USDT/KRW, in percent', () => {
    expect(premiumOf({ last: dec(70_000_000) }, { last: dec(1400) }, { last: dec(50_000) })!.toFixed()).toBe('0');
    expect(premiumOf({ last: dec(71_400_000) }, { last: dec(1400) }, { last: dec(50_000) })!.toFixed()).toBe('2');
    expect(premiumOf({ last: dec(68_600_000) }, { last: dec(1400) }, { last: dec(50_000) })!.toFixed()).toBe('-2');
  });

  it('is unknown without all three prices or with a zero reference', () => {
    expect(premiumOf(undefined, { last: dec(1400) }, { last: dec(50_000) })).toBeUndefined();
    expect(premiumOf({ last: dec(1) }, { last: dec(0) }, { last: dec(50_000) })).toBeUndefined();
  });
});

describe('parseAmount', () => {
  it('accepts all, a percentage up to 100% and a positive amount', () => {
    expect(parseAmount('all')).toBe('all');
    expect(parseAmount('50%')).toBe('50%');
    expect(parseAmount('100%')).toBe('100%');
    expect(parseAmount('0.010')).toBe('0.01');
  });

  it('refuses anything else naming the field', () => {
    for (const bad of ['0', '-1', '101%', '0%', 'half', '1e3', '']) {
      expect(() => parseAmount(bad)).toThrow(/amount/);
    }
  });
});
