import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ccxtUrlsFor } from './index.js';

describe('exchange-sim client', () => {
  it('ccxtUrlsFor rewrites every api.binance.com entry of ccxt binance, and both Upbit entries', () => {
    const original = new ccxt.binance().urls['api'] as Record<string, string>;
    const expected: Record<string, string> = {};
    for (const [name, url] of Object.entries(original)) {
      if (url.startsWith('https://api.binance.com'))
        expected[name] = url.replace('https://api.binance.com', 'http://127.0.0.1:7070/binance');
    }
    expect(ccxtUrlsFor('binance', 'http://127.0.0.1:7070/')).toEqual(expected);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['public', 'private', 'v1', 'sapi']));
    expect(ccxtUrlsFor('upbit', 'http://127.0.0.1:7070')).toEqual({
      public: 'http://127.0.0.1:7070/upbit',
      private: 'http://127.0.0.1:7070/upbit',
    });
  });
});
