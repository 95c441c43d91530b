import { describe, expect, it } from 'vitest';
import { distancePercent, triggerLines } from './conditions-view';
import { dateTime, money, percent, price, sign } from './format';
import type { Condition } from './types';

describe('dashboard formatting', () => {
  it('shows KRW whole and other quotes with cents, exactly from decimal strings', () => {
    expect(money('1234567.89', 'KRW', 'ko')).toBe('₩1,234,568');
    expect(money('-43315', 'KRW', 'en', true)).toBe('-₩43,315');
    expect(money('29283.41681705', 'USDT', 'en')).toBe('29,283.42 USDT');
    // Beyond a double's 15–17 digits: formatted from the string, not a float.
    expect(money('12345678901234567.25', 'USDT', 'en')).toBe('12,345,678,901,234,567.25 USDT');
    expect(money(null, 'KRW', 'en')).toBe('—');
  });

  it('keeps a price’s digits and drops KRW decimals above 100 won', () => {
    expect(price('58180.22', 'USDT', 'en')).toBe('58,180.22');
    expect(price('83559000', 'KRW', 'ko')).toBe('83,559,000');
    expect(price('0.5123', 'KRW', 'ko')).toBe('0.5123');
    expect(percent('0.9839', 'en')).toBe('+0.98%');
  });

  it('writes Seoul times with a two-digit clock in both languages', () => {
    expect(dateTime('2026-12-07T20:05:03.000Z', 'ko', 'Asia/Seoul')).toBe('2026. 12. 08. 05:05:03 GMT+9');
    expect(dateTime('2026-12-07T20:05:03.000Z', 'en', 'Asia/Seoul')).toBe('12/08/2026, 05:05:03 GMT+9');
    expect(dateTime('2026-12-07T20:05:03.000Z', 'en', 'UTC')).toBe('12/07/2026, 20:05:03 UTC');
  });

  it('reads the sign of a decimal string without a float', () => {
    expect([sign('-0.0001'), sign('0.000'), sign('12'), sign(null)]).toEqual([-1, 0, 1, 0]);
  });

  it('lists a bracket’s armed legs and how far the price is from each', () => {
    const bracket = {
      kind: 'bracket',
      stopLoss: { triggerPrice: '48000', status: 'ARMED' },
      takeProfit: { triggerPrice: '55000', status: 'CANCELLED' },
    } as Condition;
    expect(triggerLines(bracket)).toEqual([{ role: 'stopLoss', price: '48000' }]);
    expect(distancePercent('48000', '50000')).toBe('-4.00');
    expect(distancePercent('48000', undefined)).toBeNull();
  });
});
