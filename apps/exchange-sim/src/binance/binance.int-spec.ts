import ccxt from 'ccxt';
import type { Exchange, Order } from 'ccxt';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BINANCE_ACCOUNT, RELAXED_RATE_LIMITS, type SimHarness, startSimHarness } from '../../../../test/support/sim-harness.js';
import { byCodeUnits } from '../core/code-unit-order.js';

const D = (v: unknown): Decimal => new Decimal(String(v));

function expectComplete(order: Order): void {
  for (const field of ['id', 'status', 'amount', 'filled', 'timestamp'] as const) expect(order[field], field).not.toBeUndefined();
  expect(order.price ?? order.average, 'price/average').not.toBeUndefined();
  expect(order.fee, 'fee').not.toBeUndefined();
}

describe('Binance routes driven by ccxt binance', () => {
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

  it('loads spot markets with the exchange filters', () => {
    const market = ex.market('BTC/USDT');
    expect(market.id).toBe('BTCUSDT');
    expect(String(market.precision.price)).toBe('0.01');
    expect(String(market.precision.amount)).toBe('0.00001');
    expect(market.limits.cost?.min).toBe(5);
    expect(Object.keys(ex.markets ?? {})).toEqual(expect.arrayContaining(['ETH/USDT', 'XRP/USDT', 'SOL/USDT']));
  });

  it('fetches tickers and the order book around the set price', async () => {
    const ticker = await ex.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(60000);
    expect(ticker.bid).toBeLessThan(60000);
    expect(ticker.ask).toBeGreaterThan(60000);
    const tickers = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(Object.keys(tickers).sort(byCodeUnits)).toEqual(['BTC/USDT', 'ETH/USDT']);
    const all = await ex.fetchTickers();
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(8);
    const book = await ex.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids).toHaveLength(5);
    expect(book.asks[0][0]).toBeGreaterThan(book.bids[0][0]!);
  });

  it('serves candles, the server time and book tickers', async () => {
    const candles = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 5);
    expect(candles.length).toBeGreaterThanOrEqual(1);
    expect(candles.at(-1)![4]).toBe(60000);
    expect(Math.abs((await ex.fetchTime())! - Date.now())).toBeLessThan(5000);
    const raw = ex as unknown as {
      publicGetTickerBookTicker(p: object): Promise<{ bidPrice: string }>;
      publicGetTickerPrice(p: object): Promise<unknown[]>;
    };
    expect(Number((await raw.publicGetTickerBookTicker({ symbol: 'BTCUSDT' })).bidPrice)).toBeLessThan(60000);
    expect((await raw.publicGetTickerPrice({})).length).toBeGreaterThanOrEqual(8);
    await expect(ex.fetchOHLCV('BTC/USDT', '7m')).rejects.toThrow();
  });

  it('fetches the balance of the account', async () => {
    const balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 10000, used: 0, total: 10000 });
    expect(balance['BTC']).toMatchObject({ free: 0.1, used: 0, total: 0.1 });
  });

  it('fills a market buy against the book and charges 0.1% in the base asset', async () => {
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'mkt-buy-1' });
    expectComplete(order);
    expect(order.status).toBe('closed');
    expect(order.clientOrderId).toBe('mkt-buy-1');
    expect(String(order.filled)).toBe('0.01');
    expect(order.average).toBeGreaterThan(60000);
    const fee = order.fee!;
    expect(fee.currency).toBe('BTC');
    expect(fee.cost).toBeCloseTo(0.00001, 10);
    const balance = await ex.fetchBalance();
    const cost = D(order.info.cummulativeQuoteQty);
    expect(D(balance['USDT'].free).toFixed()).toBe(D(10000).minus(cost).toFixed());
    expect(D(balance['BTC'].free).toFixed()).toBe(D('0.1').plus('0.01').minus('0.00001').toFixed());
    const byClientId = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'mkt-buy-1' });
    expect(byClientId.id).toBe(order.id);
    expectComplete(byClientId);
    const trades = await ex.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => t.order)).toEqual([order.id]);
    expect(trades[0].fee?.currency).toBe('BTC');
  });

  it('rests a limit order, fills it when the price crosses, and lists it as closed', async () => {
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000, { clientOrderId: 'lim-1' });
    expect(order.status).toBe('open');
    expect(order.filled).toBe(0);
    expectComplete(order);
    let balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 9410, used: 590 });
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.id)).toEqual([order.id]);

    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '58900' });
    const filled = await ex.fetchOrder(order.id!, 'BTC/USDT');
    expectComplete(filled);
    expect(filled.status).toBe('closed');
    expect(filled.average).toBe(59000);
    balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 9410, used: 0 });
    expect(D(balance['BTC'].free).toFixed()).toBe('0.10999');
    const closed = await ex.fetchClosedOrders('BTC/USDT');
    expect(closed.map((o) => o.id)).toContain(order.id);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('partially fills a large resting order when the book is thin', async () => {
    await fx.control('POST', '/config', { book: { binance: { levelQuoteDepth: '600', bookLevels: 3 } } });
    try {
      const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 61000);
      expect(order.status).toBe('open');
      await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '61100' });
      const partial = await ex.fetchOrder(order.id!, 'BTC/USDT');
      expect(partial.status).toBe('open');
      expect(partial.filled).toBeGreaterThan(0);
      expect(partial.filled).toBeLessThan(0.1);
      expect(partial.info.status).toBe('PARTIALLY_FILLED');
    } finally {
      await fx.control('POST', '/config', { book: { binance: { levelQuoteDepth: '50000', bookLevels: 20 } } });
    }
  });

  it('cancels an open order and releases its funds', async () => {
    const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.05, 65000);
    const canceled = await ex.cancelOrder(order.id!, 'BTC/USDT');
    expect(canceled.status).toBe('canceled');
    const balance = await ex.fetchBalance();
    expect(balance['BTC']).toMatchObject({ free: 0.1, used: 0 });
    await expect(ex.cancelOrder(order.id!, 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(ex.fetchOrder('999999', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('enforces client order id uniqueness among open orders only', async () => {
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'dup-1' });
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'dup-1' })).rejects.toThrow(
      /Duplicate order sent/,
    );
    const first = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'dup-1' });
    await ex.cancelOrder(first.id!, 'BTC/USDT');
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'dup-1' });
  });

  it('answers filter and balance failures with the exchange codes', async () => {
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 10000, 60000)).rejects.toThrow(ccxt.InvalidOrder);
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 10000, 60000)).rejects.toThrow(/-1013.*LOT_SIZE/);
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.00002, 60000)).rejects.toThrow(/-1013.*NOTIONAL/);
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 1, 60000)).rejects.toThrow(ccxt.InsufficientFunds);
    const raw = ex as unknown as { privatePostOrder(p: Record<string, string>): Promise<unknown> };
    await expect(
      raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00001', price: '60000' }),
    ).rejects.toThrow(/-1013/);
    await expect(
      raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '60000.001' }),
    ).rejects.toThrow(/PRICE_FILTER/);
    const { rejected } = await fx.control<{ rejected: unknown[] }>('GET', '/orders?exchange=binance');
    expect(rejected.length).toBeGreaterThanOrEqual(5);
  });

  it('rejects a bad signature (-1022) and a stale timestamp (-1021)', async () => {
    const wrong = fx.binance({ exchange: 'binance', apiKey: BINANCE_ACCOUNT.apiKey, secret: 'wrong', balances: {} });
    wrong.markets = ex.markets;
    wrong.marketsById = ex.marketsById;
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toThrow(/-1022/);
    const stale = fx.binance();
    stale.markets = ex.markets;
    stale.marketsById = ex.marketsById;
    stale.options['timeDifference'] = 60_000;
    await expect(stale.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    const unknown = fx.binance({ exchange: 'binance', apiKey: 'nobody', secret: 'x', balances: {} });
    unknown.markets = ex.markets;
    unknown.marketsById = ex.marketsById;
    await expect(unknown.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('serves trading fees and the sapi routes ccxt calls with default options', async () => {
    const fees = await ex.fetchTradingFees();
    expect(fees['BTC/USDT']).toMatchObject({ maker: 0.001, taker: 0.001 });
    const defaults = new ccxt.binance({
      apiKey: BINANCE_ACCOUNT.apiKey,
      secret: BINANCE_ACCOUNT.secret,
      options: { fetchMarkets: { types: ['spot'] } },
    });
    defaults.urls['api'] = ex.urls['api'];
    await defaults.loadMarkets();
    expect(defaults.markets?.['BTC/USDT']).toBeDefined();
    await defaults.close();
  });

  it('places stop-loss-limit orders that trigger on the price and OCO lists whose legs cancel each other', async () => {
    const stop = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 54900, { stopLossPrice: 55000 });
    expect(stop.status).toBe('open');
    expect(stop.info.type ?? 'STOP_LOSS_LIMIT').toBe('STOP_LOSS_LIMIT');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '54950' });
    const triggered = await ex.fetchOrder(stop.id!, 'BTC/USDT');
    expect(triggered.status).toBe('closed');

    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '60000' });
    const raw = ex as unknown as {
      privatePostOrderListOco(p: Record<string, string>): Promise<{ orderListId: number; orders: Array<{ orderId: number }> }>;
    };
    const list = await raw.privatePostOrderListOco({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '65000',
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: '55000',
      belowPrice: '54900',
      belowTimeInForce: 'GTC',
    });
    expect(list.orders).toHaveLength(2);
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '65100' });
    const legs = await Promise.all(list.orders.map((o) => ex.fetchOrder(String(o.orderId), 'BTC/USDT')));
    expect(legs.map((l) => String(l.status)).sort(byCodeUnits)).toEqual(['closed', 'expired']);
  });
});
