import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  firedLeg: string | null;
  nativeOrders?: { stopLoss: string | null; takeProfit: string | null };
  timeline: Array<{ event: string; details: Record<string, unknown> | null }>;
}

async function condition(s: TradingStack, id: string): Promise<ConditionBody> {
  return (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
}

describe.each(TEST_DRIVERS)('a native bracket across a restart, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('keeps protecting while tradedesk is down: the exchange fills the stop, and the restart settles the condition DONE', async () => {
    const accountId = s.binanceAccountId;
    const buy = (
      await s.api().post('/api/orders').send({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).expect(201)
    ).body as { id: string };
    await expect
      .poll(async () => ((await s.api().get(`/api/orders/${buy.id}`).expect(200)).body as { status: string }).status, { timeout: 10_000 })
      .toBe('FILLED');
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'bracket',
          accountId,
          symbol: 'BTC/USDT',
          amount: 'all',
          placement: 'native',
          stopLoss: { triggerPrice: '45000' },
          takeProfit: { triggerPrice: '56000' },
        })
        .expect(201)
    ).body as ConditionBody;
    await expect
      .poll(async () => (await condition(s, armed.id)).nativeOrders?.stopLoss ?? null, { timeout: 10_000, interval: 50 })
      .not.toBeNull();
    const stopOrderId = (await condition(s, armed.id)).nativeOrders!.stopLoss!;
    await expect
      .poll(async () => ((await s.api().get(`/api/orders/${stopOrderId}`).expect(200)).body as { status: string }).status, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe('OPEN');
    await s.restartApp(async () => {
      // Nobody at tradedesk is watching: the exchange triggers the stop and expires the take-profit.
      await s.setPrice('binance', 'BTC/USDT', '44000');
      const res = await fetch(`${s.sim.url}/_sim/orders?exchange=binance`);
      const atSim = ((await res.json()) as { orders: Array<{ side: string; type: string; status: string }> }).orders;
      expect(
        atSim
          .filter((o) => o.side === 'sell')
          .map((o) => `${o.type} ${o.status}`)
          .sort((a, b) => a.localeCompare(b)),
      ).toEqual(['LIMIT_MAKER EXPIRED', 'STOP_LOSS FILLED']);
    });
    await expect.poll(async () => (await condition(s, armed.id)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    const done = await condition(s, armed.id);
    expect(done.firedLeg).toBe('stop');
    expect(done.timeline.map((t) => t.event)).toEqual(['armed', 'placed-natively', 'triggered', 'leg-cancelled', 'done']);
    const positions = (await s.api().get('/api/positions').query({ accountId }).expect(200)).body as {
      positions: Array<{ symbol: string; quantity: string }>;
    };
    expect(positions.positions.find((p) => p.symbol === 'BTC/USDT')?.quantity ?? '0').toBe('0');
  });
});
