import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { currencyDecimals, roundMoney, roundPercent } from '@tradedesk/shared';
import { roundAveragePrice, roundPrice } from './display-rounding.js';

const BINANCE_BTC = { quote: 'USDT', priceStep: dec('0.01') };
const UPBIT_KRW = { quote: 'KRW' };

describe('display rounding', () => {
  it('money: KRW whole won, USDT and other coins 8 decimals, half up', () => {
    expect(roundMoney(dec('1261.5'), 'KRW').toFixed()).toBe('1262');
    expect(roundMoney(dec('6056.3213613323678493'), 'USDT').toFixed()).toBe('6056.32136133');
    expect(roundMoney(dec('0.123456785'), 'BTC').toFixed()).toBe('0.12345679');
    expect(currencyDecimals('krw')).toBe(0);
  });

  it('prices: the market tick, or the Upbit KRW table at that price', () => {
    expect(roundPrice(dec('50000.375'), BINANCE_BTC).toFixed()).toBe('50000.38');
    expect(roundPrice(dec('69150511.71'), UPBIT_KRW).toFixed()).toBe('69150512');
    // Below 10 KRW the table steps in 0.01, below 1 KRW in 0.001.
    expect(roundPrice(dec('5.12345'), UPBIT_KRW).toFixed()).toBe('5.12');
    expect(roundPrice(dec('0.512345'), UPBIT_KRW).toFixed()).toBe('0.512');
    expect(roundPrice(dec('1.123456789'), { quote: 'BTC' }).toFixed()).toBe('1.12345679');
  });

  it('averages: up to 4 digits beyond the tick, trailing zeros dropped', () => {
    expect(roundAveragePrice(dec('50016.666666666666'), BINANCE_BTC).toFixed()).toBe('50016.666667');
    expect(roundAveragePrice(dec('83550754.50000041754525146662769577652978'), UPBIT_KRW).toFixed()).toBe('83550754.5');
  });

  it('never more than 18 decimals, the input limit', () => {
    const tiny = { quote: 'USDT', priceStep: dec('1e-16') };
    expect(roundAveragePrice(dec('0.1234567890123456789012'), tiny).toFixed()).toBe('0.123456789012345679');
  });

  it('percentages: 4 decimals', () => {
    expect(roundPercent(dec('-37.09984999')).toFixed()).toBe('-37.0998');
    expect(roundPercent(dec('1.44927536')).toFixed()).toBe('1.4493');
  });
});
