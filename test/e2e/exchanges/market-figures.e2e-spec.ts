import { TEST_DRIVERS } from '@tradedesk/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootTestApp, type TestApp } from '../../support/boot-test-app.js';
import { type SimHarness, startSimHarness } from '../../support/sim-harness.js';

// What `POST /api/orders` and `GET /api/fees/compare` accept for a decimal (amount, cost, price).
const INPUT_DECIMAL = /^(?:\d{1,20})(?:\.\d{1,18})?$/;
const fractionDigits = (value: string) => value.split('.')[1]?.length ?? 0;

interface Venue {
  exchange: string;
  averagePrice: string;
  fee: string;
  total: string;
  totalKrw: string;
  totalUsdt: string;
}

/**
 * Figures of the fee comparison and the premium are for people: prices to the market's price
 * precision (averages up to 4 digits more), costs and fees to the quote currency's (KRW 0, USDT 8
 * decimals), percentages to 4 decimals — never the 40 significant digits of a division.
 */
describe.each(TEST_DRIVERS)('rounded market figures on %s', (driver) => {
  let harness: SimHarness;
  let app: TestApp;
  const api = () => request.agent(app.url).set('Authorization', app.auth);

  beforeAll(async () => {
    // Binance: 1,000 USDT per level, levels 0.1 % apart, so 0.03 BTC walks two levels; Upbit: deep at the set price.
    harness = await startSimHarness({
      book: {
        binance: { spreadBps: 0, levelQuoteDepth: '1000', levelStepBps: 10, bookLevels: 20 },
        upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' },
      },
    });
    await harness.setPrice('upbit', 'BTC/KRW', '84123000');
    await harness.setPrice('upbit', 'USDT/KRW', '1383');
    app = await bootTestApp({ database: driver, env: { SIM: 'on', SIM_URL: harness.url } });
  });
  afterAll(async () => {
    await app?.close();
    await harness?.close();
  });

  it('fee comparison: average price to the tick plus 4 digits, fees and totals to the currency', async () => {
    await harness.setPrice('binance', 'BTC/USDT', '50000');
    const res = await api().get('/api/fees/compare').query({ base: 'BTC', amount: '0.030', side: 'buy' }).expect(200);
    const body = res.body as { amount: string; usdtKrw: string; venues: Venue[]; best: { exchange: string } };
    expect(body).toMatchObject({ amount: '0.03', usdtKrw: '1383', best: { exchange: 'binance' } });
    // Asks 50,000 × 0.02 and 50,050 × 0.01998: 0.03 BTC cost 1,000 + 500.5 = 1,500.5 USDT, average
    // 50,016.666…; fee 0.1 % = 1.5005; total 1,502.0005 USDT × 1,383 = 2,077,266.6915 KRW.
    expect(body.venues.find((v) => v.exchange === 'binance')).toMatchObject({
      averagePrice: '50016.666667',
      fee: '1.5005',
      total: '1502.0005',
      totalUsdt: '1502.0005',
      totalKrw: '2077267',
    });
    // 0.03 × 84,123,000 = 2,523,690 KRW; fee 0.05 % = 1,261.845; total 2,524,951.845 KRW / 1,383 = 1,825.70632321… USDT.
    expect(body.venues.find((v) => v.exchange === 'upbit')).toMatchObject({
      averagePrice: '84123000',
      fee: '1262',
      total: '2524952',
      totalKrw: '2524952',
      totalUsdt: '1825.70632321',
    });
    for (const venue of body.venues) {
      for (const field of ['averagePrice', 'fee', 'total', 'totalKrw', 'totalUsdt'] as const)
        expect(venue[field], `${venue.exchange}.${field}`).toMatch(INPUT_DECIMAL);
    }
    // The echoed amount is accepted back as the same query field.
    await api().get('/api/fees/compare').query({ base: 'BTC', amount: body.amount, side: 'buy' }).expect(200);
  });

  it('premium: prices to the market precision, the percentage to 4 decimals', async () => {
    await harness.setPrice('binance', 'BTC/USDT', '50000.37');
    const res = await api().get('/api/premium').query({ base: 'BTC' }).expect(200);
    // 50,000.37 × 1,383 = 69,150,511.71 KRW (a KRW price of that size has no decimals);
    // 84,123,000 / 69,150,511.71 − 1 = 21.65202819…%.
    expect(res.body).toMatchObject({
      upbit: { price: '84123000' },
      binance: { price: '50000.37' },
      usdtKrw: '1383',
      binancePriceKrw: '69150512',
      premiumPercent: '21.652',
    });
    expect(fractionDigits(res.body.premiumPercent as string)).toBeLessThanOrEqual(4);
  });
});
