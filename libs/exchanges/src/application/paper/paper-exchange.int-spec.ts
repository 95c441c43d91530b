import { randomUUID } from 'node:crypto';
import { dec, Decimal, UnitOfWork, ZERO } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientFunds, InvalidOrder } from '../../domain/exchange.errors.js';
import type { OrderBook, PlaceOrderRequest } from '../../domain/exchange-gateway.js';
import type { PaperVenue } from '../../domain/paper/paper-matching.js';
import { PaperExchange } from './paper-exchange.js';
import { bootTestApp, type TestApp } from '../../../../../test/support/boot-test-app.js';

const binance: PaperVenue = {
  exchange: 'binance',
  market: { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: dec('0.00001') },
  fee: { maker: dec('0.001'), taker: dec('0.001') },
};
const upbit: PaperVenue = {
  exchange: 'upbit',
  market: { symbol: 'BTC/KRW', base: 'BTC', quote: 'KRW', amountStep: dec('0.00000001') },
  fee: { maker: dec('0.0005'), taker: dec('0.0005') },
};
const book = (asks: Array<[string, string]>, bids: Array<[string, string]> = []): OrderBook => ({
  symbol: 'BTC/USDT',
  asks: asks.map(([price, amount]) => ({ price: dec(price), amount: dec(amount) })),
  bids: bids.map(([price, amount]) => ({ price: dec(price), amount: dec(amount) })),
  timestamp: new Date(),
});
const request = (r: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  clientOrderId: randomUUID(),
  ...r,
});

// The paper ledger on a real database of each driver: what the account lock and the stored fills guarantee.
describe.each(TEST_DRIVERS)('paper exchange persistence on %s', (driver) => {
  let t: TestApp;
  let paper: PaperExchange;
  let uow: UnitOfWork;

  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
    paper = t.app.get(PaperExchange);
    uow = t.app.get(UnitOfWork);
  });
  afterAll(async () => {
    await t?.close();
  });

  const openAccount = async (exchange: 'binance' | 'upbit', balances: Record<string, string>) => {
    const id = randomUUID();
    const start = Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [asset, dec(amount)]));
    await uow.run(({ manager }) => paper.open(manager, id, exchange, start));
    return id;
  };

  it('never spends one balance twice: 20 concurrent 1,000 USDT buys on 10,000 USDT → 10 fill, 10 are refused', async () => {
    const accountId = await openAccount('binance', { USDT: '10000' });
    const deep = book([['50000', '100']]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => paper.place(accountId, binance, 'after-order-done', request({ cost: dec('1000') }), deep)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
    expect(refusals.every((r) => r instanceof InsufficientFunds)).toBe(true);
    const balances = await paper.balances(accountId);
    expect(balances.USDT).toBeUndefined();
    // 10 × 0.02 BTC, each less its 0.00002 BTC fee.
    expect(balances.BTC.total.toFixed()).toBe('0.1998');
  });

  it('takes an Upbit identifier once, even from two requests at the same moment', async () => {
    const accountId = await openAccount('upbit', { KRW: '10000000' });
    const clientOrderId = randomUUID();
    const krwBook = book([['70000000', '1']]);
    const twice = await Promise.allSettled(
      [0, 1].map(() => paper.place(accountId, upbit, 'never', request({ symbol: 'BTC/KRW', cost: dec('70000'), clientOrderId }), krwBook)),
    );
    expect(twice.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(twice.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(InvalidOrder) });
    expect((await paper.order(accountId, 'upbit', { clientOrderId })).order.filled.toFixed()).toBe('0.001');
  });

  it('a partly filled order resumes from the database with its exact fee: one rounding for all its fills', async () => {
    const accountId = await openAccount('binance', { USDT: '100' });
    // Takes 0.00033 at 30,000.01 (taker), rests for the other 0.00067 at 30,000.02.
    const placed = await paper.place(
      accountId,
      binance,
      'after-order-done',
      request({ type: 'limit', side: 'buy', amount: dec('0.001'), price: dec('30000.02') }),
      book([
        ['30000.01', '0.00033'],
        ['30000.03', '1'],
      ]),
    );
    expect(placed.order.status).toBe('open');
    const filled = await paper.fillCrossed(accountId, 'binance', new Map([['BTC/USDT', binance]]), {
      'BTC/USDT': { symbol: 'BTC/USDT', last: dec('29999'), ask: dec('29999.5'), timestamp: new Date() },
    });
    expect(filled).toBe(1);
    const { order, trades } = await paper.order(accountId, 'binance', { id: placed.order.id });
    expect(order.status).toBe('closed');
    expect(trades.map((tr) => [tr.amount.toFixed(), tr.maker])).toEqual([
      ['0.00033', false],
      ['0.00067', true],
    ]);
    const exact = trades.reduce((sum, tr) => sum.plus(tr.amount.mul(tr.feeRate)), ZERO);
    expect(order.fee.equals(exact.toDecimalPlaces(8, Decimal.ROUND_UP))).toBe(true);
    const balances = await paper.balances(accountId);
    // 100 − 0.00033 × 30,000.01 − 0.00067 × 30,000.02 = 100 − 9.9000033 − 20.1000134
    expect([balances.USDT.free.toFixed(), balances.USDT.locked.toFixed()]).toEqual(['69.9999833', '0']);
    expect(balances.BTC.free.toFixed()).toBe('0.000999');
  });

  it('answers an unknown or finished order as the exchanges do: OrderNotFound', async () => {
    const accountId = await openAccount('binance', { USDT: '100' });
    await expect(paper.order(accountId, 'binance', { id: randomUUID() })).rejects.toMatchObject({ code: 'EXCHANGE.ORDER_NOT_FOUND' });
    const done = await paper.place(accountId, binance, 'after-order-done', request({ cost: dec('10') }), book([['50000', '1']]));
    await expect(paper.cancel(accountId, 'binance', { id: done.order.id })).rejects.toMatchObject({
      code: 'EXCHANGE.ORDER_NOT_FOUND',
      details: { exchangeCode: '-2013' },
    });
  });
});
