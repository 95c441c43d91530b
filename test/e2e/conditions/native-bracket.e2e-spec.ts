import { ccxtUrlsFor, SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { TEST_DRIVERS } from '@tradedesk/testing';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  placement: string;
  amount: string;
  firedLeg: string | null;
  failureReason: string | null;
  orderIds: string[];
  nativeOrders?: { stopLoss: string | null; takeProfit: string | null };
  timeline: Array<{ event: string; status: string; details: Record<string, unknown> | null }>;
}

interface SimOrder {
  clientOrderId: string;
  symbol: string;
  side: string;
  type: string;
  status: string;
  filled: string;
}

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  orderList?: { listClientOrderId: string; legType: string };
}

describe.each(TEST_DRIVERS)('native Binance brackets (an OCO list at the exchange), on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '200' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const condition = async (id: string) => (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
  const order = async (id: string) => (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
  const simOrders = async (symbol: string) =>
    (await s.control<{ orders: SimOrder[] }>('GET', '/orders?exchange=binance')).orders.filter((o) => o.symbol === symbol);
  const position = async (symbol: string) => {
    const body = (await s.api().get('/api/positions').query({ accountId: s.binanceAccountId }).expect(200)).body as {
      positions: Array<{ symbol: string; quantity: string; protection: string }>;
    };
    return body.positions.find((p) => p.symbol === symbol);
  };

  /** A fresh position bought at market, then a native bracket on all of it, placed at the emulator. */
  async function armOnFreshPosition(symbol: string, entry: string, amount: string, stop: string, takeProfit: string) {
    await s.setPrice('binance', symbol, entry);
    const buy = (
      await s.api().post('/api/orders').send({ accountId: s.binanceAccountId, symbol, side: 'buy', type: 'market', amount }).expect(201)
    ).body as { id: string };
    await expect.poll(async () => (await order(buy.id)).status, { timeout: 10_000 }).toBe('FILLED');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'bracket',
          accountId: s.binanceAccountId,
          symbol,
          amount: 'all',
          placement: 'native',
          stopLoss: { triggerPrice: stop },
          takeProfit: { triggerPrice: takeProfit },
        })
        .expect(201)
    ).body as ConditionBody;
    expect(armed).toMatchObject({ status: 'ARMED', placement: 'native' });
    const held = (await position(symbol))!.quantity;
    expect(armed.amount).toBe(held);
    await expect
      .poll(async () => (await condition(armed.id)).nativeOrders?.takeProfit ?? null, { timeout: 10_000, interval: 100 })
      .not.toBeNull();
    const placed = await condition(armed.id);
    expect(placed.timeline.map((t) => t.event)).toEqual(['armed', 'placed-natively']);
    const legs = [await order(placed.nativeOrders!.stopLoss!), await order(placed.nativeOrders!.takeProfit!)];
    await expect.poll(async () => (await order(legs[0].id)).status, { timeout: 10_000, interval: 100 }).toBe('OPEN');
    // One order list at the exchange: two legs, one list client id.
    expect(new Set(legs.map((l) => l.orderList!.listClientOrderId)).size).toBe(1);
    const atSim = (await simOrders(symbol)).filter((o) => legs.some((l) => l.clientOrderId === o.clientOrderId));
    expect(atSim.map((o) => `${o.type} ${o.status}`).sort((a, b) => a.localeCompare(b))).toEqual(['LIMIT_MAKER NEW', 'STOP_LOSS NEW']);
    expect(await position(symbol)).toMatchObject({ protection: 'native' });
    return { id: armed.id, held, stopOrderId: legs[0].id, takeProfitOrderId: legs[1].id };
  }

  it('the exchange triggers the stop: the stop leg fills, the take-profit expires, the condition is DONE and the position closed', async () => {
    const b = await armOnFreshPosition('ETH/USDT', '3000', '0.5', '2800', '3300');
    await s.setPrice('binance', 'ETH/USDT', '2750');
    await expect.poll(async () => (await condition(b.id)).status, { timeout: 15_000, interval: 100 }).toBe('DONE');
    const done = await condition(b.id);
    expect(done.firedLeg).toBe('stop');
    const events = done.timeline.map((t) => t.event);
    expect(events).toEqual(['armed', 'placed-natively', 'triggered', 'leg-cancelled', 'done']);
    expect(done.timeline.find((t) => t.event === 'triggered')!.details).toMatchObject({ leg: 'stop', by: 'exchange' });
    expect(done.timeline.find((t) => t.event === 'leg-cancelled')!.details).toMatchObject({ leg: 'take_profit', by: 'exchange' });
    expect((await order(b.stopOrderId)).status).toBe('FILLED');
    await expect.poll(async () => (await order(b.takeProfitOrderId)).status, { timeout: 10_000, interval: 100 }).toBe('CANCELED');

    const sells = (await simOrders('ETH/USDT')).filter((o) => o.side === 'sell');
    expect(sells.filter((o) => o.status === 'FILLED')).toHaveLength(1);
    expect(sells.find((o) => o.type === 'LIMIT_MAKER')!.status).toBe('EXPIRED');
    await expect.poll(async () => (await position('ETH/USDT'))?.quantity ?? '0', { timeout: 10_000, interval: 100 }).toBe('0');
  });

  it('the exchange fills the take-profit: the stop expires and the condition is DONE with the take-profit leg', async () => {
    const b = await armOnFreshPosition('SOL/USDT', '150', '10', '140', '165');
    await s.setPrice('binance', 'SOL/USDT', '170');
    await expect.poll(async () => (await condition(b.id)).status, { timeout: 15_000, interval: 100 }).toBe('DONE');
    expect((await condition(b.id)).firedLeg).toBe('take_profit');
    expect((await order(b.takeProfitOrderId)).status).toBe('FILLED');
    await expect.poll(async () => (await order(b.stopOrderId)).status, { timeout: 10_000, interval: 100 }).toBe('CANCELED');
    const sells = (await simOrders('SOL/USDT')).filter((o) => o.side === 'sell');
    expect(sells.filter((o) => o.status === 'FILLED')).toHaveLength(1);
    expect(sells.find((o) => o.type === 'STOP_LOSS')!.status).toBe('EXPIRED');
    await expect.poll(async () => (await position('SOL/USDT'))?.quantity ?? '0', { timeout: 10_000, interval: 100 }).toBe('0');
  });

  it('DELETE cancels the list at the exchange, then CANCELLED; PATCH and pause are refused with 409', async () => {
    const b = await armOnFreshPosition('BTC/USDT', '50000', '0.02', '45000', '56000');
    const patch = await s
      .api()
      .patch(`/api/conditions/${b.id}`)
      .send({ stopLoss: { triggerPrice: '46000' } })
      .expect(409);
    expect(patch.body.code).toBe('CONDITION.NATIVE_NOT_ADJUSTABLE');
    expect((await s.api().post(`/api/conditions/${b.id}/pause`).expect(409)).body.code).toBe('CONDITION.NATIVE_NOT_ADJUSTABLE');

    const cancelled = (await s.api().delete(`/api/conditions/${b.id}`).expect(200)).body as ConditionBody;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.timeline.map((t) => t.event)).toEqual(['armed', 'placed-natively', 'cancelled']);
    expect((await order(b.stopOrderId)).status).toBe('CANCELED');
    expect((await order(b.takeProfitOrderId)).status).toBe('CANCELED');
    const legs = (await simOrders('BTC/USDT')).filter((o) => o.type === 'LIMIT_MAKER' || o.type === 'STOP_LOSS');
    expect(legs.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(await position('BTC/USDT')).toMatchObject({ protection: 'none' });
  });

  it('a list cancelled at the exchange outside tradedesk fails the condition: the position shows unprotected', async () => {
    const b = await armOnFreshPosition('BNB/USDT', '600', '1', '550', '660');
    // Another client of the same Binance account cancels one leg; Binance cancels the whole list.
    const binance = SEEDED_SIM_ACCOUNTS.find((a) => a.exchange === 'binance')!;
    const outside = new ccxt.binance({ apiKey: binance.apiKey, secret: binance.secret });
    outside.urls['api'] = ccxtUrlsFor('binance', s.sim.url);
    const stopLeg = await order(b.stopOrderId);
    await (outside as unknown as { privateDeleteOrder(p: Record<string, string>): Promise<unknown> }).privateDeleteOrder({
      symbol: 'BNBUSDT',
      origClientOrderId: stopLeg.clientOrderId,
    });
    await expect.poll(async () => (await condition(b.id)).status, { timeout: 15_000, interval: 100 }).toBe('FAILED');
    const failed = await condition(b.id);
    expect(failed.failureReason).toMatch(/cancelled outside tradedesk/);
    expect(failed.timeline.map((t) => t.event)).toEqual(['armed', 'placed-natively', 'failed']);
    expect(await position('BNB/USDT')).toMatchObject({ protection: 'none' });
  });

  it('refuses native placement where the exchange cannot hold an OCO list (Upbit), naming placement', async () => {
    const refused = await s
      .api()
      .post('/api/conditions')
      .send({
        kind: 'bracket',
        accountId: s.upbitAccountId,
        symbol: 'BTC/KRW',
        amount: '0.01',
        placement: 'native',
        stopLoss: { triggerPrice: '60000000' },
        takeProfit: { triggerPrice: '80000000' },
      })
      .expect(400);
    expect(refused.body.code).toBe('CONDITION.NATIVE_NOT_SUPPORTED');
    expect(refused.body.message).toMatch(/^placement: /);

    const binance = {
      kind: 'bracket',
      accountId: s.binanceAccountId,
      symbol: 'BTC/USDT',
      placement: 'native',
      stopLoss: { triggerPrice: '45000' },
      takeProfit: { triggerPrice: '56000' },
    };
    await s.setPrice('binance', 'BTC/USDT', '50000');
    // One order of one amount: no percentage; each leg must pass the exchange's rules before anything is armed.
    const percent = await s
      .api()
      .post('/api/conditions')
      .send({ ...binance, amount: '50%' })
      .expect(400);
    expect(percent.body.message).toMatch(/^placement: /);
    const tiny = await s
      .api()
      .post('/api/conditions')
      .send({ ...binance, amount: '0.00001' })
      .expect(400);
    expect(tiny.body.code).toBe('ORDER.BELOW_MIN_NOTIONAL');
    const list = (
      await s.api().get('/api/conditions').query({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', status: 'ARMED' }).expect(200)
    ).body as { total: number };
    expect(list.total).toBe(0);
  });
});
