import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface Notification {
  type: string;
  data: Record<string, unknown>;
}

const TOGGLES = 5;

describe.each(TEST_DRIVERS)('exchange unavailable / recovered on %s', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const exchangeNotifications = async () =>
    ((await s.api().get('/api/notifications?limit=500').expect(200)).body as { items: Notification[] }).items.filter((n) =>
      n.type.startsWith('exchange.'),
    );
  const binanceHealth = async () =>
    ((await s.api().get('/api/health')).body as { details: { exchanges: { accounts: Record<string, { reachable: boolean }> } } }).details
      .exchanges.accounts[s.binanceAccountId].reachable;

  it(`faults toggled on and off ${TOGGLES} times → one "unavailable" and one "recovered"`, async () => {
    // A watched market: the scheduler reads Binance every tick, as it does for a real stop.
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.001' });
    await s
      .api()
      .post('/api/conditions')
      .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '40000' })
      .expect(201);
    await s
      .api()
      .put('/api/notifications/rules')
      .send({ rules: [{ type: 'exchange.unavailable', threshold: 3, cooldownSeconds: 3 }] })
      .expect(200);

    for (let i = 0; i < TOGGLES; i++) {
      await s.control('POST', '/faults', { exchange: 'binance', status: 503 });
      // The health probe's own call fails once the fault is in force; the ticks' calls fail with it.
      await expect.poll(binanceHealth, { timeout: 10_000, interval: 100 }).toBe(false);
      if (i === 0) await expect.poll(async () => (await exchangeNotifications()).length, { timeout: 10_000 }).toBe(1);
      await s.control('DELETE', '/faults');
      await expect.poll(binanceHealth, { timeout: 10_000, interval: 100 }).toBe(true);
    }
    await expect
      .poll(async () => (await exchangeNotifications()).map((n) => n.type), { timeout: 15_000, interval: 200 })
      .toContain('exchange.recovered');
    const told = await exchangeNotifications();
    expect(told.map((n) => n.type).sort((a, b) => a.localeCompare(b))).toEqual(['exchange.recovered', 'exchange.unavailable']);
    for (const n of told) expect(n.data).toMatchObject({ exchange: 'binance', mode: 'sim' });
    const recovered = told.find((n) => n.type === 'exchange.recovered')!;
    expect(recovered.data.since).toBe(told.find((n) => n.type === 'exchange.unavailable')!.data.since);
  }, 120_000);
});
