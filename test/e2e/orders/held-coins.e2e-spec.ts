import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/**
 * The sim accounts hold 0.1 BTC from the start, as a user who held coins before tradedesk does.
 * A position is what tradedesk bought (plus what the user adopts); nothing sells the rest unless
 * asked to with `"amount": "balance"`, and no PnL figure counts it.
 */
describe.each(TEST_DRIVERS)('coins held before tradedesk on %s', (driver) => {
  let s: TradingStack;
  /** The Upbit account's BTC as the API reports it (its balance cache lives 2 s: polled). */
  const upbitBtcBecomes = (total: string) =>
    expect
      .poll(
        async () => {
          const body = (await s.api().get(`/api/accounts/${s.upbitAccountId}/balances`).expect(200)).body as {
            balances: Array<{ asset: string; total: string }>;
          };
          return body.balances.find((b) => b.asset === 'BTC')?.total ?? '0';
        },
        { timeout: 5_000 },
      )
      .toBe(total);
  /** 0.1 BTC outside any position again (each test leaves the position flat). */
  const holdBeforeTradedesk = async () => {
    const upbit = SEEDED_SIM_ACCOUNTS.find((a) => a.exchange === 'upbit')!;
    await s.control('POST', '/accounts', { ...upbit, balances: { KRW: '10000000', BTC: '0.1' } });
  };

  beforeAll(async () => {
    s = await startTradingStack(driver);
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(async () => {
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
  });

  it('closes the position, not the wallet: the 0.1 BTC held before stay', async () => {
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '700000' });
    await upbitBtcBecomes('0.11');
    const closed = await s.api().post('/api/positions/close').send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(201);
    expect(closed.body).toMatchObject({ side: 'sell', type: 'market', purpose: 'liquidation', amount: '0.01' });
    await expect.poll(async () => (await s.api().get(`/api/orders/${closed.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    await upbitBtcBecomes('0.1');
    const again = await s.api().post('/api/positions/close').send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(422);
    expect(again.body.code).toBe('POSITION.NOTHING_TO_CLOSE');
    expect(again.body.message).toMatch(/adopt/);
  });

  it('realizes PnL only on the position when a manual sell takes more; the excess is untracked on the trade', async () => {
    await holdBeforeTradedesk();
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '700000' });
    await s.setPrice('upbit', 'BTC/KRW', '60000000');
    const sell = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', side: 'sell', type: 'market', amount: '0.11' })
      .expect(201);
    await expect.poll(async () => (await s.api().get(`/api/orders/${sell.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    const trades = await s.api().get('/api/trades').query({ orderId: sell.body.id }).expect(200);
    expect(trades.body.items).toHaveLength(1);
    expect(trades.body.items[0]).toMatchObject({ amount: '0.11', untracked: '0.1' });
    const report = await s.api().get('/api/positions').query({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(200);
    // This round trip: 0.01 × (60,000,000 − 70,035,000) − 3,300 × 0.01/0.11 = −100,650; the first test's
    // (bought at 70,035,000 with its fee, sold at 70,000,000 less 350) realized −700 before it.
    expect(report.body.positions[0]).toMatchObject({ quantity: '0', realizedPnl: '-101350', averageEntry: null });
    expect(report.body.totals.KRW.realizedPnl).toBe('-101350');
  });

  it('adopts held coins into the position (at most what no position counts), then closes them with it', async () => {
    await holdBeforeTradedesk();
    const tooMuch = await s
      .api()
      .post('/api/positions/adopt')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', amount: '0.2', averageEntry: '68000000' })
      .expect(400);
    expect(tooMuch.body).toMatchObject({ code: 'POSITION.ADOPT_EXCEEDS_BALANCE' });
    expect(tooMuch.body.message).toMatch(/^amount: /);
    const adopted = await s
      .api()
      .post('/api/positions/adopt')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', amount: '0.06', averageEntry: '68000000' })
      .expect(201);
    expect(adopted.body).toMatchObject({ quantity: '0.06', averageEntry: '68000000', costBasis: '4080000' });
    // 0.04 left outside: adopting 0.05 more is refused.
    await s
      .api()
      .post('/api/positions/adopt')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', amount: '0.05', averageEntry: '68000000' })
      .expect(400);
    const timeline = await s.api().get('/api/positions/timeline').query({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(200);
    expect(timeline.body.map((l: { event: string }) => l.event)).toContain('adopted');
    const closed = await s.api().post('/api/positions/close').send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW' }).expect(201);
    expect(closed.body.amount).toBe('0.06');
    await expect.poll(async () => (await s.api().get(`/api/orders/${closed.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    await upbitBtcBecomes('0.04');
  });

  it('sells the whole free balance only when asked: "amount": "balance"', async () => {
    await holdBeforeTradedesk();
    const closed = await s
      .api()
      .post('/api/positions/close')
      .send({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', amount: 'balance' })
      .expect(201);
    expect(closed.body.amount).toBe('0.1');
    await expect.poll(async () => (await s.api().get(`/api/orders/${closed.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    await upbitBtcBecomes('0');
  });

  it('a position of dust (under the minimum order) has nothing to close, and an "all" stop on it ends CANCELLED', async () => {
    await s.setPrice('binance', 'XRP/USDT', '0.6');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'XRP/USDT', amount: '123.4' });
    const sell = await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'XRP/USDT', side: 'sell', type: 'market', amount: '123.2' })
      .expect(201);
    await expect.poll(async () => (await s.api().get(`/api/orders/${sell.body.id}`)).body.status, { timeout: 10_000 }).toBe('FILLED');
    // 123.4 less Binance's 0.1 % fee in XRP = 123.2766; 0.0766 left, under the 0.1 XRP step.
    const close = await s.api().post('/api/positions/close').send({ accountId: s.binanceAccountId, symbol: 'XRP/USDT' }).expect(422);
    expect(close.body.code).toBe('POSITION.NOTHING_TO_CLOSE');
    expect(close.body.message).toMatch(/^The 0.0766 XRP left in the XRP\/USDT position cannot be sold/);
    const stop = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'XRP/USDT', triggerPrice: '0.59' })
        .expect(201)
    ).body as { id: string };
    await s.setPrice('binance', 'XRP/USDT', '0.58');
    const ended = await s.conditionInStatus<{ status: string; failureReason: string }>(stop.id, 'CANCELLED', 15_000);
    expect(ended.failureReason).toBe("position closed: the 0.0766 left is below the market's minimum order");
  });
});
