import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { fillFromDepth, inKrwAndUsdt, krwPremiumPercent, venueCost } from './fee-comparison.js';

const levels = (...pairs: Array<[string, string]>) => pairs.map(([price, amount]) => ({ price: dec(price), amount: dec(amount) }));

describe('fee comparison maths', () => {
  it('averages over the depth it walks, not the top of book', () => {
    const fill = fillFromDepth(levels(['100', '1'], ['101', '1'], ['102', '5']), dec('3'));
    expect(fill.gross.toFixed()).toBe('303');
    expect(fill.averagePrice.toFixed()).toBe('101');
    expect(fill.sufficient).toBe(true);
  });

  it('says when the visible book is too thin', () => {
    const fill = fillFromDepth(levels(['100', '1']), dec('2'));
    expect(fill).toMatchObject({ sufficient: false });
    expect(fill.filled.toFixed()).toBe('1');
    expect(fillFromDepth([], dec(1)).averagePrice.toFixed()).toBe('0');
  });

  it('adds the fee to a buy and takes it from a sell', () => {
    const book = levels(['60000', '1']);
    expect(venueCost('buy', book, dec('0.1'), dec('0.001')).total.toFixed()).toBe('6006');
    expect(venueCost('sell', book, dec('0.1'), dec('0.001')).total.toFixed()).toBe('5994');
  });

  it('converts between KRW and USDT at the Upbit USDT price', () => {
    const rate = dec('1380');
    expect(inKrwAndUsdt(dec('6006'), 'USDT', rate).krw!.toFixed()).toBe('8288280');
    expect(inKrwAndUsdt(dec('1380000'), 'KRW', rate).usdt!.toFixed()).toBe('1000');
    expect(inKrwAndUsdt(dec('1'), 'KRW', undefined).usdt).toBeUndefined();
    expect(inKrwAndUsdt(dec('1'), 'BTC', rate)).toEqual({});
  });

  it('computes the KRW premium in percent', () => {
    expect(krwPremiumPercent(dec('84000000'), dec('60000'), dec('1380')).toDecimalPlaces(4).toFixed()).toBe('1.4493');
    expect(krwPremiumPercent(dec('82800000'), dec('60000'), dec('1380')).isZero()).toBe(true);
  });
});
