import { RedisServer } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

// Redis carries only the cache: nothing on the path that fires a stop may need it.
describe('a stop-loss while Redis is down', () => {
  let redis: RedisServer;
  let s: TradingStack;
  beforeAll(async () => {
    redis = await RedisServer.create();
    s = await startTradingStack('postgres', { TICK_MS: '100', REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await s?.close();
    await redis?.destroy();
  });

  it('still fires exactly once, and readiness reports the instance degraded (not unready) meanwhile', async () => {
    // 7,000,000 KRW at 70,000,000: a 0.1 BTC position for the stop to protect.
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '7000000' });
    const armed = await s
      .api()
      .post('/api/conditions')
      .send({ kind: 'stop_loss', accountId: s.upbitAccountId, symbol: 'BTC/KRW', triggerPrice: '65000000', amount: '0.05' })
      .expect(201);
    expect(armed.body.status).toBe('ARMED');

    await redis.stop();
    const ready = await fetch(`${s.app.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { status: string; error: Record<string, unknown> };
    expect(report.status).toBe('degraded');
    expect(report.error).toHaveProperty('cache');

    await s.setPrice('upbit', 'BTC/KRW', '64000000');
    let orderIds: string[] = [];
    await expect
      .poll(
        async () => {
          const body = (await s.api().get(`/api/conditions/${armed.body.id}`).expect(200)).body as { status: string; orderIds: string[] };
          orderIds = body.orderIds;
          return body.status;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe('DONE');
    expect(orderIds).toHaveLength(1);
    const order = (await s.api().get(`/api/orders/${orderIds[0]}`).expect(200)).body as {
      clientOrderId: string;
      side: string;
      status: string;
      filled: string;
    };
    expect(order).toMatchObject({ side: 'sell', status: 'FILLED', filled: '0.05' });
    const atExchange = await s.control<{ orders: unknown[] }>('GET', `/orders?exchange=upbit&clientOrderId=${order.clientOrderId}`);
    expect(atExchange.orders).toHaveLength(1);
  });
});
