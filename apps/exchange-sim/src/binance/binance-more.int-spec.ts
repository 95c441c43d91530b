import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness } from '../../../../test/support/sim-harness.js';

describe('Binance: more order flows through ccxt', () => {
  let fx: SimHarness;
  let ex: Exchange;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    ex = fx.binance();
    await ex.loadMarkets();
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/reset');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '60000' });
  });

  it('buys at market by quote amount (quoteOrderQty)', async () => {
    const order = await ex.createMarketBuyOrderWithCost('BTC/USDT', 100);
    expect(order.status).toBe('closed');
    expect(order.cost).toBeLessThanOrEqual(100);
    expect(order.cost).toBeGreaterThan(99);
    expect(order.filled).toBeGreaterThan(0);
  });

  it('lists all orders and cancels every open order of a symbol', async () => {
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 51000);
    const all = await ex.fetchOrders('BTC/USDT');
    expect(all).toHaveLength(2);
    const canceled = await ex.cancelAllOrders('BTC/USDT');
    expect(canceled).toHaveLength(2);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    await expect(ex.cancelAllOrders('BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('queries and cancels an OCO list; cancelling one leg cancels both', async () => {
    const raw = ex as unknown as Record<string, (p: Record<string, string>) => Promise<Record<string, unknown>>>;
    const oco = (clientId: string): Promise<Record<string, unknown>> =>
      raw.privatePostOrderListOco({
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.01',
        listClientOrderId: clientId,
        aboveType: 'LIMIT_MAKER',
        abovePrice: '65000',
        belowType: 'STOP_LOSS_LIMIT',
        belowStopPrice: '55000',
        belowPrice: '54900',
        belowTimeInForce: 'GTC',
      });
    const list = await oco('oco-1');
    let balance = await ex.fetchBalance();
    expect(balance['BTC']).toMatchObject({ free: 0.09, used: 0.01 });
    const status = await raw.privateGetOrderList({ orderListId: String(list.orderListId) });
    expect(status).toMatchObject({ listClientOrderId: 'oco-1', listOrderStatus: 'EXECUTING' });
    const canceled = await raw.privateDeleteOrderList({ symbol: 'BTCUSDT', orderListId: String(list.orderListId) });
    expect(canceled.listOrderStatus).toBe('ALL_DONE');
    balance = await ex.fetchBalance();
    expect(balance['BTC']).toMatchObject({ free: 0.1, used: 0 });

    const second = await oco('oco-2');
    const legs = second.orders as Array<{ orderId: number }>;
    await ex.cancelOrder(String(legs[0].orderId), 'BTC/USDT');
    const other = await ex.fetchOrder(String(legs[1].orderId), 'BTC/USDT');
    expect(other.status).toBe('canceled');
    await expect(
      raw.privatePostOrderListOco({
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.01',
        aboveType: 'LIMIT_MAKER',
        abovePrice: '59000',
        belowType: 'STOP_LOSS_LIMIT',
        belowStopPrice: '55000',
        belowPrice: '54900',
        belowTimeInForce: 'GTC',
      }),
    ).rejects.toThrow(/relationship of the prices/);
  });

  it('validates parameters as Binance does', async () => {
    const raw = ex as unknown as Record<string, (p: Record<string, string>) => Promise<unknown>>;
    await expect(raw.privatePostOrder({ symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' })).rejects.toThrow(/-1121/);
    await expect(raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'UP', type: 'MARKET', quantity: '1' })).rejects.toThrow(/-1117/);
    await expect(raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'FANCY', quantity: '1' })).rejects.toThrow(/-1116/);
    await expect(raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '1' })).rejects.toThrow(
      /-1102/,
    );
    await expect(raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 'abc' })).rejects.toThrow(/-1100/);
    await expect(raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' })).rejects.toThrow(/-1102/);
    await expect(
      raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '61000' }),
    ).rejects.toThrow(/immediately match/);
    await expect(
      raw.privatePostOrder({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS_LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '61000',
        stopPrice: '61000',
      }),
    ).rejects.toThrow(/trigger immediately/);
    await expect(raw.privatePostOrderTest({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' })).resolves.toEqual({});
    const { orders } = await fx.control<{ orders: unknown[] }>('GET', '/orders?exchange=binance');
    expect(orders).toEqual([]);
  });

  it('takes a take-profit-limit through ccxt and triggers it on the way up', async () => {
    const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 64900, { takeProfitPrice: 65000 });
    expect(order.status).toBe('open');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '65050' });
    const done = await ex.fetchOrder(order.id!, 'BTC/USDT');
    expect(done.status).toBe('closed');
    expect(done.average).toBeGreaterThanOrEqual(64900);
  });
});
