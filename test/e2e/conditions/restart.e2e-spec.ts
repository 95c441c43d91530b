import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  highWaterMark: string | null;
  timeline: Array<{ event: string; price: string | null; trigger: string | null; details: Record<string, unknown> | null }>;
}

async function condition(s: TradingStack, id: string): Promise<ConditionBody> {
  return (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
}

describe.each(TEST_DRIVERS)('conditions across a restart on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('keeps armed stops and the high-water mark; a trigger crossed while down fires (policy fire) or is MISSED (skip)', async () => {
    const accountId = s.binanceAccountId;
    await s.api().post('/api/orders').send({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).expect(201);
    const arm = async (body: Record<string, unknown>) =>
      (
        (
          await s
            .api()
            .post('/api/conditions')
            .send({ accountId, symbol: 'BTC/USDT', amount: '0.001', ...body })
            .expect(201)
        ).body as ConditionBody
      ).id;
    const trailing = await arm({ kind: 'trailing_stop', trailPercent: '10' });
    const fire = await arm({ kind: 'stop_loss', triggerPrice: '45000' });
    const skip = await arm({ kind: 'stop_loss', triggerPrice: '46000', onDowntime: 'skip' });
    await s.setPrice('binance', 'BTC/USDT', '60000');
    await expect.poll(async () => (await condition(s, trailing)).highWaterMark, { timeout: 10_000, interval: 50 }).toBe('60000');
    await s.restartApp(async () => {
      await s.setPrice('binance', 'BTC/USDT', '44000');
    });
    await expect.poll(async () => (await condition(s, trailing)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    await expect.poll(async () => (await condition(s, fire)).status, { timeout: 15_000, interval: 50 }).toBe('DONE');
    await expect.poll(async () => (await condition(s, skip)).status, { timeout: 15_000, interval: 50 }).toBe('MISSED');
    const t = (await condition(s, trailing)).timeline.find((e) => e.event === 'triggered')!;
    // Had H been reset at restart, the trigger would be 39600 and 44000 would not fire it.
    expect([t.price, t.trigger]).toEqual(['44000', '54000']);
    expect(t.details).toMatchObject({ crossedWhileDown: true, policy: 'fire' });
    expect((await condition(s, skip)).orderIds).toEqual([]);
    expect((await condition(s, fire)).orderIds).toHaveLength(1);
  });
});
