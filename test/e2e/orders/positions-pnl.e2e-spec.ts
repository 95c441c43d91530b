import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

describe.each(TEST_DRIVERS)('positions and PnL on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('computes average cost, realized and unrealized PnL exactly for a scripted Upbit sequence with fees', async () => {
    // Upbit charges 0.05 % in KRW. Buy 700,000 KRW at 70,000,000 → 0.01 BTC, fee 350: cost 700,350, avg 70,035,000.
    const buy = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '700000' })
      .expect(201);
    await expect.poll(async () => (await s.api().get(`/api/orders/${buy.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');

    // Price 80,000,000; sell 0.005 → proceeds 400,000, fee 200: realized = 0.005 × (80,000,000 − 70,035,000) − 200 = 49,625.
    await s.setPrice('upbit', 'BTC/KRW', '80000000');
    const sell = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'sell', type: 'market', amount: '0.005' })
      .expect(201);
    await expect.poll(async () => (await s.api().get(`/api/orders/${sell.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');

    const report = await s.api().get('/api/positions').query({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(200);
    expect(report.body.positions).toHaveLength(1);
    expect(report.body.positions[0]).toMatchObject({
      exchange: 'upbit',
      quantity: '0.005',
      averageEntry: '70035000',
      costBasis: '350175',
      realizedPnl: '49625',
      lastPrice: '80000000',
      // 0.005 × (80,000,000 − 70,035,000)
      unrealizedPnl: '49825',
      marketValue: '400000',
      // (49,625 + 49,825) / 700,350 = 14.20004… % (4 places)
      returnPercent: '14.2',
      protection: 'none',
    });
    expect(report.body.usdtKrw).toBe('1400');
    expect(report.body.totals.KRW).toEqual({ marketValue: '400000', realizedPnl: '49625', unrealizedPnl: '49825' });
    // 400,000 / 1,400 etc., in USDT's 8 decimals.
    expect(report.body.totals.USDT).toEqual({ marketValue: '285.71428571', realizedPnl: '35.44642857', unrealizedPnl: '35.58928571' });
  });

  it('closes a position: cancels its open sells, then sells what tradedesk bought at market', async () => {
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.02' });
    const held = (await s.api().get('/api/positions').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT' }).expect(200)).body
      .positions[0].quantity as string;
    const resting = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.01', price: '90000' })
      .expect(201);
    expect(resting.body.status).toBe('OPEN');
    const closed = await s.api().post('/api/positions/close').send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT' }).expect(201);
    expect(closed.body.canceledOrderIds).toEqual([resting.body.id]);
    expect(closed.body).toMatchObject({ side: 'sell', type: 'market', purpose: 'liquidation', amount: held });
    expect((await s.api().get(`/api/orders/${resting.body.id}`)).body.status).toBe('CANCELED');
    await expect.poll(async () => (await s.api().get(`/api/orders/${closed.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    const nothing = await s.api().post('/api/positions/close').send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT' }).expect(422);
    expect(nothing.body.code).toBe('POSITION.NOTHING_TO_CLOSE');
  });

  it('refuses to close a market without a position before it cancels anything', async () => {
    const resting = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.01', price: '90000' })
      .expect(201);
    await s.api().post('/api/positions/close').send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT' }).expect(422);
    expect((await s.api().get(`/api/orders/${resting.body.id}`)).body.status).toBe('OPEN');
    await s.api().delete(`/api/orders/${resting.body.id}`).expect(200);
  });
});
