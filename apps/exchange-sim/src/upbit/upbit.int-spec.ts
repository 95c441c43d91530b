import ccxt from 'ccxt';
import type { Exchange, Order } from 'ccxt';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness, UPBIT_ACCOUNT } from '../../../../test/support/sim-harness.js';
import { signUpbitJwt } from './auth.js';
import { byCodeUnits } from '../core/code-unit-order.js';

const D = (v: unknown): Decimal => new Decimal(String(v));

function expectComplete(order: Order): void {
  for (const field of ['id', 'status', 'amount', 'filled', 'timestamp'] as const) expect(order[field], field).not.toBeUndefined();
  expect(order.price ?? order.average, 'price/average').not.toBeUndefined();
  expect(order.fee, 'fee').not.toBeUndefined();
}

describe('Upbit routes driven by ccxt upbit', () => {
  let fx: SimHarness;
  let ex: Exchange;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    ex = fx.upbit();
    await ex.loadMarkets();
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/reset');
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '90000000' });
  });

  it('loads the KRW markets, tickers and order books', async () => {
    expect(Object.keys(ex.markets ?? {})).toEqual(expect.arrayContaining(['BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW', 'USDT/KRW']));
    const ticker = await ex.fetchTicker('BTC/KRW');
    expect(ticker.last).toBe(90000000);
    expect(ticker.timestamp).toBeGreaterThan(0);
    const tickers = await ex.fetchTickers(['BTC/KRW', 'ETH/KRW']);
    expect(Object.keys(tickers).sort(byCodeUnits)).toEqual(['BTC/KRW', 'ETH/KRW']);
    const book = await ex.fetchOrderBook('BTC/KRW');
    expect(book.asks[0][0]).toBeGreaterThan(90000000);
    expect(book.bids[0][0]).toBeLessThan(90000000);
    expect((book.bids[0][0]! * 1) % 1000).toBe(0);
  });

  it('serves minute and day candles', async () => {
    const minutes = await ex.fetchOHLCV('BTC/KRW', '1m', undefined, 3);
    expect(minutes.at(-1)![4]).toBe(90000000);
    const days = await ex.fetchOHLCV('BTC/KRW', '1d', undefined, 2);
    expect(days.length).toBeGreaterThanOrEqual(1);
  });

  it('fetches balances and the trading fee', async () => {
    const balance = await ex.fetchBalance();
    expect(balance['KRW']).toMatchObject({ free: 10000000, used: 0 });
    expect(balance['BTC']).toMatchObject({ free: 0.1, used: 0 });
    const fee = await ex.fetchTradingFee('BTC/KRW');
    expect(fee).toMatchObject({ maker: 0.0005, taker: 0.0005 });
  });

  it('buys at market by cost and charges 0.05% on top in KRW', async () => {
    const order = await ex.createOrder('BTC/KRW', 'market', 'buy', undefined as unknown as number, undefined, {
      cost: 100000,
      clientOrderId: 'up-mkt-1',
    });
    expectComplete(order);
    expect(['closed', 'canceled']).toContain(order.status);
    expect(order.clientOrderId).toBe('up-mkt-1');
    expect(order.filled).toBeGreaterThan(0);
    const funds = D(order.info.executed_funds);
    const fee = D(order.info.paid_fee);
    expect(fee.toFixed()).toBe(funds.mul('0.0005').toDecimalPlaces(8).toFixed());
    const balance = await ex.fetchBalance();
    expect(D(balance['KRW'].free).toFixed()).toBe(D(10000000).minus(funds).minus(fee).toFixed());
    expect(D(balance['BTC'].free).toFixed()).toBe(D('0.1').plus(order.info.executed_volume).toFixed());
    const byIdentifier = ex.parseOrder(
      await (ex as unknown as { privateGetOrder(p: object): Promise<object> }).privateGetOrder({ identifier: 'up-mkt-1' }),
    );
    expect(byIdentifier.id).toBe(order.id);
    expectComplete(byIdentifier);
  });

  it('sells at market by volume', async () => {
    const order = await ex.createOrder('BTC/KRW', 'market', 'sell', 0.01);
    expectComplete(order);
    expect(order.status).toBe('closed');
    expect(String(order.filled)).toBe('0.01');
    const balance = await ex.fetchBalance();
    const proceeds = D(order.info.executed_funds).minus(order.info.paid_fee);
    expect(D(balance['KRW'].free).toFixed()).toBe(D(10000000).plus(proceeds).toFixed());
  });

  it('rests a limit order, fills it when the price crosses, lists it open then closed, and cancels another', async () => {
    const order = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.01, 89000000, { clientOrderId: 'up-lim-1' });
    expectComplete(order);
    expect(order.status).toBe('open');
    let balance = await ex.fetchBalance();
    expect(D(balance['KRW'].used).toFixed()).toBe('890445');
    expect((await ex.fetchOpenOrders('BTC/KRW')).map((o) => o.id)).toEqual([order.id]);
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '88900000' });
    const filled = await ex.fetchOrder(order.id!);
    expectComplete(filled);
    expect(filled.status).toBe('closed');
    expect(filled.fee?.currency).toBe('KRW');
    expect(D(filled.fee?.cost).toFixed()).toBe('445');
    balance = await ex.fetchBalance();
    expect(D(balance['KRW'].free).toFixed()).toBe(D(10000000).minus(890000).minus(445).toFixed());
    expect(D(balance['KRW'].used).toFixed()).toBe('0');
    const closed = await ex.fetchClosedOrders('BTC/KRW');
    expect(closed.map((o) => o.id)).toContain(order.id);

    const other = await ex.createOrder('BTC/KRW', 'limit', 'sell', 0.01, 95000000);
    const canceled = await ex.cancelOrder(other.id!);
    expect(canceled.status).toBe('canceled');
    await expect(ex.cancelOrder(other.id!)).rejects.toBeInstanceOf(ccxt.ExchangeError);
    await expect(ex.fetchOrder('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    const canceledList = await ex.fetchCanceledOrders('BTC/KRW');
    expect(canceledList.map((o) => o.id)).toContain(other.id);
  });

  it('partially fills a resting order against a thin book', async () => {
    await fx.control('POST', '/config', { book: { upbit: { levelQuoteDepth: '500000', bookLevels: 2 } } });
    try {
      const order = await ex.createOrder('BTC/KRW', 'limit', 'sell', 0.05, 91000000);
      await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '91100000' });
      const partial = await ex.fetchOrder(order.id!);
      expect(partial.status).toBe('open');
      expect(partial.filled).toBeGreaterThan(0);
      expect(partial.filled).toBeLessThan(0.05);
    } finally {
      await fx.control('POST', '/config', { book: { upbit: { levelQuoteDepth: '50000000', bookLevels: 15 } } });
    }
  });

  it('rejects off-tick prices, small totals, missing funds and reused identifiers as Upbit does', async () => {
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 89000500)).rejects.toThrow(/invalid_price_bid/);
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.00001, 89000000)).rejects.toThrow(/under_min_total_bid/);
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 1, 89000000)).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(ex.createOrder('BTC/KRW', 'limit', 'sell', 1, 95000000)).rejects.toThrow(/insufficient_funds_ask/);
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 89000000, { clientOrderId: 'burnt' })).resolves.toBeDefined();
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 89000000, { clientOrderId: 'burnt' })).rejects.toBeInstanceOf(
      ccxt.ExchangeError,
    );
    // A failed request burns its identifier too.
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 1, 89000000, { clientOrderId: 'failed-once' })).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 89000000, { clientOrderId: 'failed-once' })).rejects.toThrow(
      /identifier/,
    );
    const { orders, rejected } = await fx.control<{ orders: unknown[]; rejected: unknown[] }>('GET', '/orders?exchange=upbit');
    expect(orders).toHaveLength(1);
    expect(rejected).toHaveLength(7);
  });

  it('verifies the JWT: signature, access key, query hash, nonce reuse, HS512', async () => {
    const wrong = fx.upbit({ exchange: 'upbit', apiKey: UPBIT_ACCOUNT.apiKey, secret: 'wrong', balances: {} });
    wrong.markets = ex.markets;
    wrong.marketsById = ex.marketsById;
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    const unknown = fx.upbit({ exchange: 'upbit', apiKey: 'nobody', secret: 'x', balances: {} });
    unknown.markets = ex.markets;
    unknown.marketsById = ex.marketsById;
    await expect(unknown.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);

    const fixed = fx.upbit();
    fixed.markets = ex.markets;
    fixed.marketsById = ex.marketsById;
    fixed.uuid = () => 'same-nonce-every-time';
    await fixed.fetchBalance();
    await expect(fixed.fetchBalance()).rejects.toThrow(/nonce_used/);

    const url = `${fx.sim.url}/upbit/v1/orders/chance?market=KRW-BTC`;
    const tampered = signUpbitJwt(
      { access_key: UPBIT_ACCOUNT.apiKey, nonce: 'n-1', query_hash: 'ab'.repeat(64), query_hash_alg: 'SHA512' },
      UPBIT_ACCOUNT.secret,
    );
    const res = await fetch(url, { headers: { Authorization: `Bearer ${tampered}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { name: 'invalid_query_payload' } });
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha512').update('market=KRW-BTC').digest('hex');
    const hs512 = signUpbitJwt(
      { access_key: UPBIT_ACCOUNT.apiKey, nonce: 'n-2', query_hash: hash, query_hash_alg: 'SHA512' },
      UPBIT_ACCOUNT.secret,
      'HS512',
    );
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${hs512}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('remaining-req')).toMatch(/^group=default; min=\d+; sec=\d+$/);
    const none = await fetch(`${fx.sim.url}/upbit/v1/accounts`);
    expect(none.status).toBe(401);
  });
});
