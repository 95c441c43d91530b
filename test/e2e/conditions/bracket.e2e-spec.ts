import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/** The scheduler's default poll interval: the one a user runs with. */
const TICK_MS = 1000;

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  stopLoss: { status: string; triggerPrice: string } | null;
  takeProfit: { status: string; triggerPrice: string } | null;
  timeline: Array<{
    event: string;
    status: string;
    price: string | null;
    trigger: string | null;
    at: string;
    details: Record<string, unknown>;
  }>;
}

const venues = [
  // exchange, market, entry price, position opened with, stop, take-profit, price that gaps through the stop
  { exchange: 'binance', symbol: 'ETH/USDT', entry: '3000', buy: { amount: '0.5' }, stop: '2800', takeProfit: '3300', crash: '2750' },
  {
    exchange: 'upbit',
    symbol: 'ETH/KRW',
    entry: '4000000',
    buy: { cost: '2000000' },
    stop: '3800000',
    takeProfit: '4400000',
    crash: '3750000',
  },
] as const;

describe.each(TEST_DRIVERS)('a bracket on a fresh position, default poll interval, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: String(TICK_MS) });
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each(venues)(
    'on $exchange: the stop fires within two poll intervals, the take-profit is cancelled, the position is closed and the timeline says why',
    async (v) => {
      const accountId = v.exchange === 'binance' ? s.binanceAccountId : s.upbitAccountId;
      await s.setPrice(v.exchange, v.symbol, v.entry);
      await s.buyAtMarket({ accountId, symbol: v.symbol, ...v.buy });

      const armed = (
        await s
          .api()
          .post('/api/conditions')
          .send({
            kind: 'bracket',
            accountId,
            symbol: v.symbol,
            amount: 'all',
            stopLoss: { triggerPrice: v.stop },
            takeProfit: { triggerPrice: v.takeProfit },
          })
          .expect(201)
      ).body as ConditionBody;
      expect(armed.status).toBe('ARMED');
      const position = async () => {
        const body = (await s.api().get('/api/positions').query({ accountId }).expect(200)).body as {
          positions: Array<{ symbol: string; quantity: string; protection: string }>;
        };
        return body.positions.find((p) => p.symbol === v.symbol);
      };
      expect(await position()).toMatchObject({ protection: 'emulated' });

      await s.setPrice(v.exchange, v.symbol, v.crash);
      const movedAt = Date.now();
      const done = await s.conditionInStatus<ConditionBody>(armed.id, 'DONE', 20_000);

      expect(done.stopLoss?.status).toBe('DONE');
      expect(done.takeProfit?.status).toBe('CANCELLED');
      expect(done.timeline.map((t) => t.event)).toEqual(['armed', 'triggered', 'firing', 'leg-cancelled', 'fired', 'done']);
      const triggered = done.timeline.find((t) => t.event === 'triggered')!;
      // Why: the price seen, the trigger it crossed and the leg.
      expect([triggered.price, triggered.trigger]).toEqual([v.crash, v.stop]);
      expect(triggered.details).toMatchObject({ leg: 'stop', source: 'last' });
      expect(done.timeline.find((t) => t.event === 'leg-cancelled')!.details).toMatchObject({ leg: 'take_profit' });
      expect(Date.parse(triggered.at) - movedAt).toBeLessThanOrEqual(2 * TICK_MS);

      // Closed: one sell of the whole position, once at the emulator.
      expect(done.orderIds).toHaveLength(1);
      const sell = (await s.api().get(`/api/orders/${done.orderIds[0]}`).expect(200)).body as {
        side: string;
        clientOrderId: string;
      };
      expect(sell.side).toBe('sell');
      const atEmulator = await s.control<{ orders: unknown[] }>(
        'GET',
        `/orders?exchange=${v.exchange}&clientOrderId=${sell.clientOrderId}`,
      );
      expect(atEmulator.orders).toHaveLength(1);
      const after = await position();
      expect(after === undefined || Number(after.quantity) === 0).toBe(true);
    },
  );
});
