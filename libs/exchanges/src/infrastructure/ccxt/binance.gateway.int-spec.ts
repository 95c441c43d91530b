import { byCodeUnits, dec, NotFoundError } from '@tradedesk/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BINANCE_ACCOUNT, type SimHarness, startSimHarness } from '../../../../../test/support/sim-harness.js';
import type { PlaceOrderRequest } from '../../domain/exchange-gateway.js';
import {
  AuthenticationFailed,
  ExchangeRateLimited,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidOrder,
  OrderNotFound,
  OutcomeUnknown,
} from '../../domain/exchange.errors.js';
import { BinanceGateway } from './binance.gateway.js';

let harness: SimHarness;
let sut: BinanceGateway;
let seq = 0;
const cid = () => `td-bn-${Date.now().toString(36)}-${seq++}`;
const credentials = { apiKey: BINANCE_ACCOUNT.apiKey, secret: BINANCE_ACCOUNT.secret };

beforeAll(async () => {
  harness = await startSimHarness();
  sut = BinanceGateway.create({ mode: 'sim', simUrl: harness.url, credentials, timeoutMs: 2000 });
});
afterAll(async () => {
  await sut.close();
  await harness.close();
});
beforeEach(async () => {
  await harness.control('DELETE', '/faults');
  await harness.setPrice('binance', 'BTC/USDT', '60000');
});

describe('BinanceGateway against the emulator', () => {
  it("reads the key's permissions from GET /sapi/v1/account/apiRestrictions; on testnet (no /sapi) they are unknown", async () => {
    expect(await sut.fetchKeyPermissions()).toEqual({ canWithdraw: false, canTrade: true });
    await harness.control('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'gw-withdraw',
      secret: 'gw-secret',
      enableWithdrawals: true,
    });
    const withdrawing = BinanceGateway.create({
      mode: 'sim',
      simUrl: harness.url,
      credentials: { apiKey: 'gw-withdraw', secret: 'gw-secret' },
    });
    try {
      expect(await withdrawing.fetchKeyPermissions()).toEqual({ canWithdraw: true, canTrade: true });
    } finally {
      await withdrawing.close();
    }
    const forged = BinanceGateway.create({ mode: 'sim', simUrl: harness.url, credentials: { apiKey: 'gw-withdraw', secret: 'wrong' } });
    try {
      await expect(forged.fetchKeyPermissions()).rejects.toBeInstanceOf(AuthenticationFailed);
    } finally {
      await forged.close();
    }
    const testnet = BinanceGateway.create({ mode: 'testnet', credentials });
    expect(await testnet.fetchKeyPermissions()).toBeUndefined();
    await testnet.close();
  });

  it('loads spot markets with steps and limits as decimals', async () => {
    const market = await sut.market('BTC/USDT');
    expect(market).toMatchObject({ exchangeSymbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true });
    expect(market.amountStep.toFixed()).toBe('0.00001');
    expect(market.priceStep!.toFixed()).toBe('0.01');
    expect(market.minNotional!.toFixed()).toBe('5');
    await expect(sut.market('NOPE/USDT')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads tickers (one and batched), the order book, balances and the fee', async () => {
    const one = await sut.fetchTicker('BTC/USDT');
    expect(one.last.toFixed()).toBe('60000');
    const many = await sut.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(Object.keys(many).sort(byCodeUnits)).toEqual(['BTC/USDT', 'ETH/USDT']);
    const book = await sut.fetchOrderBook('BTC/USDT', 5);
    expect(book.asks[0].price.greaterThanOrEqualTo(book.bids[0].price)).toBe(true);
    expect(book.asks.length).toBeGreaterThan(0);
    const balances = await sut.fetchBalances();
    expect(balances.USDT.total.greaterThan(0)).toBe(true);
    const fee = await sut.fetchTradingFee('BTC/USDT');
    expect(fee.taker.greaterThan(0)).toBe(true);
  });

  it('places, finds (by id and client id), lists and cancels a limit order', async () => {
    const clientOrderId = cid();
    const request: PlaceOrderRequest = {
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: dec('0.001'),
      price: dec('50000'),
      clientOrderId,
    };
    const placed = await sut.createOrder(request);
    expect(placed).toMatchObject({ clientOrderId, status: 'open', symbol: 'BTC/USDT', side: 'buy' });
    expect(placed.amount!.toFixed()).toBe('0.001');
    expect((await sut.fetchOrder('BTC/USDT', placed.exchangeOrderId)).exchangeOrderId).toBe(placed.exchangeOrderId);
    expect((await sut.fetchOrderByClientOrderId('BTC/USDT', clientOrderId)).exchangeOrderId).toBe(placed.exchangeOrderId);
    expect((await sut.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toContain(clientOrderId);
    const canceled = await sut.cancelOrderByClientOrderId('BTC/USDT', clientOrderId);
    expect(canceled.status).toBe('canceled');
    const other = await sut.createOrder({ ...request, clientOrderId: cid() });
    expect((await sut.cancelOrder('BTC/USDT', other.exchangeOrderId)).status).toBe('canceled');
  });

  it('buys at market by cost and reports the fill and its trades', async () => {
    const placed = await sut.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: dec('100'), clientOrderId: cid() });
    expect(placed.status).toBe('closed');
    expect(placed.filled.greaterThan(0)).toBe(true);
    expect(placed.cost.lessThanOrEqualTo(100) && placed.cost.greaterThan(99)).toBe(true);
    const trades = await sut.fetchMyTrades('BTC/USDT');
    expect(trades.some((t) => t.orderId === placed.exchangeOrderId && t.amount.greaterThan(0))).toBe(true);
  });

  it('translates every error class from real emulator answers', async () => {
    const base = { symbol: 'BTC/USDT', type: 'limit' as const, price: dec('50000') };
    await expect(sut.createOrder({ ...base, side: 'buy', amount: dec('100'), clientOrderId: cid() })).rejects.toBeInstanceOf(
      InsufficientFunds,
    );
    await expect(sut.createOrder({ ...base, side: 'buy', amount: dec('0.00001'), clientOrderId: cid() })).rejects.toBeInstanceOf(
      InvalidOrder,
    );
    await expect(sut.fetchOrderByClientOrderId('BTC/USDT', 'td-never-sent')).rejects.toBeInstanceOf(OrderNotFound);
    await expect(sut.cancelOrder('BTC/USDT', '999999999')).rejects.toBeInstanceOf(OrderNotFound);

    const badKey = BinanceGateway.create({
      mode: 'sim',
      simUrl: harness.url,
      credentials: { apiKey: credentials.apiKey, secret: 'wrong-secret' },
    });
    await expect(badKey.fetchBalances()).rejects.toBeInstanceOf(AuthenticationFailed);
    await badKey.close();
  });

  it('reports an unknown outcome for -1007 and a hang on order creation, and never resends', async () => {
    const clientOrderId = cid();
    await harness.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/order',
      method: 'POST',
      timeoutAfterExecute: '-1007',
      count: 1,
    });
    const error = await sut
      .createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: dec('0.001'), price: dec('50000'), clientOrderId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknown);
    const sent = await harness.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${clientOrderId}`);
    expect(sent.orders).toHaveLength(1);
    expect((await sut.fetchOrderByClientOrderId('BTC/USDT', clientOrderId)).status).toBe('open');

    const hung = cid();
    await harness.control('POST', '/faults', {
      exchange: 'binance',
      endpoint: '/api/v3/order',
      method: 'POST',
      timeoutAfterExecute: 'hang',
      count: 1,
    });
    await expect(
      sut.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: dec('0.001'), price: dec('50000'), clientOrderId: hung }),
    ).rejects.toBeInstanceOf(OutcomeUnknown);
    expect((await harness.control<{ orders: unknown[] }>('GET', `/orders?exchange=binance&clientOrderId=${hung}`)).orders).toHaveLength(1);

    await harness.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/order', method: 'POST', status: 503, count: 1 });
    await expect(
      sut.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: dec('0.001'), price: dec('50000'), clientOrderId: cid() }),
    ).rejects.toBeInstanceOf(OutcomeUnknown);
  });

  it('retries a read through a 5xx and gives up with ExchangeUnavailable', async () => {
    await harness.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/account', status: 503, count: 1 });
    await expect(sut.fetchBalances()).resolves.toHaveProperty('USDT');
    await harness.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/account', status: 503 });
    await expect(sut.fetchBalances()).rejects.toBeInstanceOf(ExchangeUnavailable);
  });

  it('turns a 429 into ExchangeRateLimited with the Retry-After', async () => {
    const fresh = BinanceGateway.create({ mode: 'sim', simUrl: harness.url, credentials, readAttempts: 1 });
    await fresh.fetchMarkets();
    await harness.control('POST', '/faults', { exchange: 'binance', endpoint: '/api/v3/account', rate429: 1, count: 1 });
    const error = await fresh.fetchBalances().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExchangeRateLimited);
    expect((error as ExchangeRateLimited).retryAfterMs).toBeGreaterThan(0);
    await fresh.close();
  });

  it('says ExchangeUnavailable when nothing listens', async () => {
    const nowhere = BinanceGateway.create({ mode: 'sim', simUrl: 'http://127.0.0.1:9', credentials, readAttempts: 1 });
    await expect(nowhere.fetchMarkets()).rejects.toBeInstanceOf(ExchangeUnavailable);
    await nowhere.close();
  });
});

describe('Binance limits published in exchangeInfo', () => {
  let tight: SimHarness;

  beforeAll(async () => {
    tight = await startSimHarness({ rateLimits: { binance: { ordersPer10s: 5 } } });
  });
  afterAll(async () => {
    await tight.close();
  });

  it('paces orders to the published 10-second order count without a 429', async () => {
    const gateway = BinanceGateway.create({ mode: 'sim', simUrl: tight.url, credentials });
    await gateway.fetchMarkets();
    const started = Date.now();
    const orders = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        gateway.createOrder({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          amount: dec('0.0001'),
          price: dec('50000'),
          clientOrderId: `td-pace-${started}-${i}`,
        }),
      ),
    );
    expect(orders.filter((o) => o.status === 'rejected').map((o) => String(o.reason))).toEqual([]);
    // Five allowed per 10 s, 90 % of it for the order lane: four go at once, the rest in the next window.
    expect(Date.now() - started).toBeGreaterThan(9000);
    await gateway.close();
  }, 30_000);
});
