import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlClient } from '../../support/sql-client.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface Notification {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

describe.each(TEST_DRIVERS)('facts whose notification a crash cut off are told once by the sweep, on %s', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver, { NOTIFY_SWEEP_EVERY_MS: '300', NOTIFY_SWEEP_SETTLE_MS: '1000' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const all = async () => ((await s.api().get('/api/notifications?limit=500').expect(200)).body as { items: Notification[] }).items;

  it('a fill and a completed trade, their notifications gone as if the process died after the fills committed', async () => {
    const accountId = s.binanceAccountId;
    await s.setPrice('binance', 'ETH/USDT', '3000');
    const buy = await s.buyAtMarket({ accountId, symbol: 'ETH/USDT', amount: '0.1' });
    const position = (await s.api().get('/api/positions').query({ accountId, symbol: 'ETH/USDT' }).expect(200)).body as {
      positions: Array<{ quantity: string; realizedPnl: string }>;
    };
    const sell = (
      await s
        .api()
        .post('/api/orders')
        .send({ accountId, symbol: 'ETH/USDT', side: 'sell', type: 'market', amount: position.positions[0].quantity })
        .expect(201)
    ).body as { id: string };
    await expect
      .poll(async () => (await all()).filter((n) => n.type === 'trade.completed' && n.data.orderId === sell.id).length, { timeout: 10_000 })
      .toBe(1);
    const live = await all();
    const buyNotification = live.find((n) => n.type === 'order.filled' && n.data.orderId === buy)!;
    const trade = live.find((n) => n.type === 'trade.completed' && n.data.orderId === sell.id)!;
    expect(buyNotification).toBeDefined();

    // What a crash between the fills' commits and the notifications' transactions leaves behind.
    const sql = await sqlClient(s.app.databaseUrl);
    try {
      for (const id of [buyNotification.id, trade.id]) {
        await sql.query('DELETE FROM notification_deliveries WHERE "notificationId" = $1', [id]);
        await sql.query('DELETE FROM notification_facts WHERE "notificationId" = $1', [id]);
        await sql.query('DELETE FROM notifications WHERE id = $1', [id]);
      }
    } finally {
      await sql.close();
    }
    expect((await all()).some((n) => n.id === buyNotification.id || n.id === trade.id)).toBe(false);

    await expect
      .poll(
        async () =>
          (await all())
            .filter((n) => n.data.orderId === buy || n.data.orderId === sell.id)
            .map((n) => n.type)
            .sort((a, b) => a.localeCompare(b)),
        { timeout: 15_000, interval: 200 },
      )
      .toEqual(['order.filled', 'trade.completed']);
    const told = await all();
    const again = told.find((n) => n.type === 'trade.completed' && n.data.orderId === sell.id)!;
    expect(again.id).toBeGreaterThan(trade.id);
    expect(again.data).toMatchObject({
      realizedPnl: trade.data.realizedPnl,
      fees: trade.data.fees,
      positionEventId: trade.data.positionEventId,
    });
    // Every other fact was told already: nothing else came twice.
    const keys = told.map((n) => `${n.type} ${JSON.stringify(n.data.orderId ?? n.data.positionEventId ?? n.id)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
