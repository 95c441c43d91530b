import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

describe.each(TEST_DRIVERS)('realized PnL by period and unrealized after fees on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('credits a sell made now to today, this week and this month, and takes the exit fee off the unrealized PnL', async () => {
    // Upbit 0.05 % in KRW. Buy 700,000 KRW at 70,000,000 → 0.01 BTC, fee 350, average 70,035,000.
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '700000' });
    // Sell 0.005 at 80,000,000: realized = 0.005 × (80,000,000 − 70,035,000) − 200 = 49,625.
    await s.setPrice('upbit', 'BTC/KRW', '80000000');
    const sell = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'sell', type: 'market', amount: '0.005' })
      .expect(201);
    await expect.poll(async () => (await s.api().get(`/api/orders/${sell.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');

    const pnl = await s.api().get('/api/pnl').query({ timeZone: 'Asia/Seoul' }).expect(200);
    expect(pnl.body.timeZone).toBe('Asia/Seoul');
    for (const period of ['today', 'week', 'month']) expect(pnl.body.realized[period]).toEqual({ KRW: '49625' });
    // Today began at a Seoul midnight: 15:00 UTC.
    expect(pnl.body.starts.today).toMatch(/T15:00:00\.000Z$/);
    // Unrealized 0.005 × (80,000,000 − 70,035,000) = 49,825; selling 0.005 at 80,000,000 costs 0.05 % = 200.
    expect(pnl.body.positions).toEqual([
      expect.objectContaining({
        symbol: 'BTC/KRW',
        exchange: 'upbit',
        quantity: '0.005',
        lastPrice: '80000000',
        unrealizedPnl: '49825',
        exitFee: '200',
        unrealizedAfterFees: '49625',
      }),
    ]);
    expect(pnl.body.unrealizedAfterFees).toEqual({ KRW: '49625' });
    expect(pnl.body.usdtKrw).toBe('1400');
  });

  it('answers 400 naming the field for a time zone that does not exist', async () => {
    const bad = await s.api().get('/api/pnl').query({ timeZone: 'Mars/Olympus' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED' });
    expect(bad.body.message).toContain('timeZone');
  });
});
