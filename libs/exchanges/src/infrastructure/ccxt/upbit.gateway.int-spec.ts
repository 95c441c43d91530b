import { byCodeUnits, dec } from '@tradedesk/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SimHarness, startSimHarness, UPBIT_ACCOUNT } from '../../../../../test/support/sim-harness.js';
import {
  AuthenticationFailed,
  ExchangeRateLimited,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidOrder,
  OrderNotFound,
  OutcomeUnknown,
} from '../../domain/exchange.errors.js';
import { parseRemainingReq, UpbitGateway } from './upbit.gateway.js';

let harness: SimHarness;
let sut: UpbitGateway;
let seq = 0;
const cid = () => `td-up-${Date.now().toString(36)}-${seq++}`;
const credentials = { apiKey: UPBIT_ACCOUNT.apiKey, secret: UPBIT_ACCOUNT.secret };

beforeAll(async () => {
  harness = await startSimHarness();
  sut = UpbitGateway.create({ mode: 'sim', simUrl: harness.url, credentials, timeoutMs: 2000 });
});
afterAll(async () => {
  await sut.close();
  await harness.close();
});
beforeEach(async () => {
  await harness.control('DELETE', '/faults');
  await harness.setPrice('upbit', 'BTC/KRW', '80000000');
});

describe('UpbitGateway against the emulator', () => {
  it('loads KRW markets with the price table and the 5,000 KRW minimum', async () => {
    const market = await sut.market('BTC/KRW');
    expect(market).toMatchObject({ exchangeSymbol: 'KRW-BTC', quote: 'KRW', priceStep: undefined });
    expect(market.minNotional!.toFixed()).toBe('5000');
    expect(sut.capabilities.priceStepRule).toBe('krw-price-table');
  });

  it('reads tickers, the book, balances and the fee', async () => {
    expect((await sut.fetchTicker('BTC/KRW')).last.toFixed()).toBe('80000000');
    expect(Object.keys(await sut.fetchTickers(['BTC/KRW', 'ETH/KRW'])).sort(byCodeUnits)).toEqual(['BTC/KRW', 'ETH/KRW']);
    const book = await sut.fetchOrderBook('BTC/KRW', 5);
    expect(book.bids.length).toBeGreaterThan(0);
    expect((await sut.fetchBalances()).KRW.free.greaterThan(0)).toBe(true);
    expect((await sut.fetchTradingFee('BTC/KRW')).taker.toFixed()).toBe('0.0005');
  });

  it('places a limit order with an identifier, finds it both ways, cancels it', async () => {
    const clientOrderId = cid();
    const placed = await sut.createOrder({
      symbol: 'BTC/KRW',
      side: 'buy',
      type: 'limit',
      amount: dec('0.001'),
      price: dec('70000000'),
      clientOrderId,
    });
    expect(placed).toMatchObject({ status: 'open', clientOrderId });
    expect((await sut.fetchOrder('BTC/KRW', placed.exchangeOrderId)).clientOrderId).toBe(clientOrderId);
    expect((await sut.fetchOrderByClientOrderId('BTC/KRW', clientOrderId)).exchangeOrderId).toBe(placed.exchangeOrderId);
    expect((await sut.fetchOpenOrders('BTC/KRW')).map((o) => o.exchangeOrderId)).toContain(placed.exchangeOrderId);
    expect((await sut.cancelOrderByClientOrderId('BTC/KRW', clientOrderId)).exchangeOrderId).toBe(placed.exchangeOrderId);
    const other = await sut.createOrder({
      symbol: 'BTC/KRW',
      side: 'buy',
      type: 'limit',
      amount: dec('0.001'),
      price: dec('70000000'),
      clientOrderId: cid(),
    });
    expect((await sut.cancelOrder('BTC/KRW', other.exchangeOrderId)).exchangeOrderId).toBe(other.exchangeOrderId);
  });

  it('buys at market by KRW cost, sells by amount, and reads the fills back', async () => {
    const buy = await sut.createOrder({ symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: dec('100000'), clientOrderId: cid() });
    const sell = await sut.createOrder({ symbol: 'BTC/KRW', side: 'sell', type: 'market', amount: dec('0.001'), clientOrderId: cid() });
    const done = await sut.fetchOrder('BTC/KRW', buy.exchangeOrderId);
    expect(done.filled.greaterThan(0)).toBe(true);
    const trades = await sut.fetchMyTrades('BTC/KRW');
    expect(trades.some((t) => t.orderId === buy.exchangeOrderId)).toBe(true);
    expect(trades.some((t) => t.orderId === sell.exchangeOrderId && t.amount.toFixed() === '0.001')).toBe(true);
  });

  it('answers a KRW-sized market buy that Upbit ends `cancel` with KRW left over as filled, with what it spent', async () => {
    // 100,000 KRW at about 80,000,000 rarely divides to 1e-8 BTC: the last KRW go back and Upbit says `cancel`.
    const clientOrderId = cid();
    const placed = await sut.createOrder({ symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: dec('100000'), clientOrderId });
    const fetched = await sut.fetchOrderByClientOrderId('BTC/KRW', clientOrderId);
    const { orders } = await harness.control<{ orders: Array<{ status: string; filled: string; filledCost: string }> }>(
      'GET',
      `/orders?exchange=upbit&clientOrderId=${clientOrderId}`,
    );
    const atExchange = orders[0];
    expect(atExchange.status).toBe('CANCELED');
    expect(dec(atExchange.filledCost).lessThan(100000)).toBe(true);
    for (const order of [placed, fetched]) {
      expect({
        status: order.status,
        exchangeState: order.exchangeState,
        amount: order.amount?.toFixed(),
        filled: order.filled.toFixed(),
        remaining: order.remaining?.toFixed(),
        cost: order.cost.toFixed(),
        average: order.average?.toFixed(),
      }).toEqual({
        status: 'closed',
        exchangeState: 'cancel',
        amount: atExchange.filled,
        filled: atExchange.filled,
        remaining: '0',
        cost: atExchange.filledCost,
        average: dec(atExchange.filledCost).div(atExchange.filled).toFixed(),
      });
    }
  });

  it('translates every error class from real emulator answers', async () => {
    const order = { symbol: 'BTC/KRW', side: 'buy' as const, type: 'limit' as const };
    await expect(sut.createOrder({ ...order, amount: dec('10'), price: dec('70000000'), clientOrderId: cid() })).rejects.toBeInstanceOf(
      InsufficientFunds,
    );
    await expect(
      sut.createOrder({ ...order, amount: dec('0.00001'), price: dec('70000000'), clientOrderId: cid() }),
    ).rejects.toBeInstanceOf(InvalidOrder);
    await expect(sut.createOrder({ ...order, amount: dec('0.001'), price: dec('70000050'), clientOrderId: cid() })).rejects.toBeInstanceOf(
      InvalidOrder,
    );
    await expect(sut.fetchOrderByClientOrderId('BTC/KRW', 'td-never-sent')).rejects.toBeInstanceOf(OrderNotFound);
    const badKey = UpbitGateway.create({
      mode: 'sim',
      simUrl: harness.url,
      credentials: { apiKey: credentials.apiKey, secret: 'wrong-secret' },
    });
    await expect(badKey.fetchBalances()).rejects.toBeInstanceOf(AuthenticationFailed);
    await badKey.close();

    const hung = cid();
    await harness.control('POST', '/faults', {
      exchange: 'upbit',
      endpoint: '/v1/orders',
      method: 'POST',
      timeoutAfterExecute: true,
      count: 1,
    });
    await expect(sut.createOrder({ ...order, amount: dec('0.001'), price: dec('70000000'), clientOrderId: hung })).rejects.toBeInstanceOf(
      OutcomeUnknown,
    );
    expect((await sut.fetchOrderByClientOrderId('BTC/KRW', hung)).status).toBe('open');

    await harness.control('POST', '/faults', { exchange: 'upbit', endpoint: '/v1/accounts', status: 503 });
    await expect(sut.fetchBalances()).rejects.toBeInstanceOf(ExchangeUnavailable);
    await harness.control('DELETE', '/faults');
    const fresh = UpbitGateway.create({ mode: 'sim', simUrl: harness.url, credentials, readAttempts: 1 });
    await harness.control('POST', '/faults', { exchange: 'upbit', endpoint: '/v1/accounts', rate429: 1, count: 1 });
    await expect(fresh.fetchBalances()).rejects.toBeInstanceOf(ExchangeRateLimited);
    await fresh.close();
  });

  it('parses Remaining-Req', () => {
    expect(parseRemainingReq('group=default; min=1800; sec=29')).toEqual({ group: 'default', sec: 29 });
    expect(parseRemainingReq('garbage')).toBeUndefined();
    expect(parseRemainingReq(undefined)).toBeUndefined();
  });
});

describe('rate governor against the emulator’s small limits', () => {
  let tight: SimHarness;

  beforeAll(async () => {
    // Far below Upbit's real limits, so a burst would be refused (and then banned) if we did not pace it.
    tight = await startSimHarness({
      rateLimits: { upbit: { quotationPerSecond: 4, defaultPerSecond: 5, orderPerSecond: 3, banAfter429s: 0 } },
    });
  });
  afterAll(async () => {
    await tight.close();
  });

  it('runs a burst of reads and orders without a single 429 or 418', async () => {
    const gateway = UpbitGateway.create({ mode: 'sim', simUrl: tight.url, credentials, readAttempts: 1 });
    await gateway.fetchMarkets();
    await tight.control('DELETE', '/requests');
    const started = Date.now();
    const burst = [
      ...Array.from({ length: 12 }, () => gateway.fetchTicker('BTC/KRW')),
      ...Array.from({ length: 10 }, () => gateway.fetchBalances()),
      ...Array.from({ length: 6 }, (_, i) =>
        gateway.createOrder(
          {
            symbol: 'BTC/KRW',
            side: 'buy',
            type: 'limit',
            amount: dec('0.0001'),
            price: dec('70000000'),
            clientOrderId: `td-burst-${started}-${i}`,
          },
          { lane: i % 2 ? 'protective' : 'order' },
        ),
      ),
    ];
    const results = await Promise.allSettled(burst);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    // 12 ticker calls at ≤ 2 per second need several seconds: proof the governor paced them.
    expect(Date.now() - started).toBeGreaterThan(2000);
    await gateway.close();
  }, 30_000);
});
