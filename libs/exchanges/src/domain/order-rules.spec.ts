import { dec, ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import type { ExchangeCapabilities, Market, PlaceOrderRequest } from './exchange-gateway.js';
import { formatMoney, normalizeOrder, type OrderRuleContext } from './order-rules.js';

const binanceCaps: ExchangeCapabilities = {
  nativeStopLoss: true,
  nativeOco: true,
  marketBuyByCost: true,
  priceStepRule: 'tick-size',
  orderRateBudget: { orders: 100, windowMs: 10_000 },
  clientOrderIdReuse: 'after-order-done',
  tickerBidAsk: true,
  quoteCurrencies: ['USDT'],
};
const upbitCaps: ExchangeCapabilities = {
  ...binanceCaps,
  nativeStopLoss: false,
  nativeOco: false,
  minOrderValue: { currency: 'KRW', amount: dec(5000) },
  priceStepRule: 'krw-price-table',
  orderRateBudget: { orders: 8, windowMs: 1000 },
  clientOrderIdReuse: 'never',
  tickerBidAsk: false,
  quoteCurrencies: ['KRW'],
};
const btcUsdt: Market = {
  symbol: 'BTC/USDT',
  exchangeSymbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  active: true,
  amountStep: dec('0.00001'),
  priceStep: dec('0.01'),
  minAmount: dec('0.00001'),
  maxAmount: dec('9000'),
  minPrice: dec('0.01'),
  maxPrice: dec('1000000'),
  minNotional: dec('5'),
  caution: false,
  cautionReasons: [],
};
const btcKrw: Market = {
  symbol: 'BTC/KRW',
  exchangeSymbol: 'KRW-BTC',
  base: 'BTC',
  quote: 'KRW',
  active: true,
  amountStep: dec('0.00000001'),
  caution: false,
  cautionReasons: [],
};

const binance = (extra: Partial<OrderRuleContext> = {}): OrderRuleContext => ({
  exchange: 'binance',
  market: btcUsdt,
  capabilities: binanceCaps,
  ...extra,
});
const upbit = (extra: Partial<OrderRuleContext> = {}): OrderRuleContext => ({
  exchange: 'upbit',
  market: btcKrw,
  capabilities: upbitCaps,
  ...extra,
});
const limit = (side: 'buy' | 'sell', amount: string, price: string, symbol = 'BTC/USDT'): PlaceOrderRequest => ({
  symbol,
  side,
  type: 'limit',
  amount: dec(amount),
  price: dec(price),
  clientOrderId: 'td-1',
});

function violation(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('normalizeOrder', () => {
  it('truncates the amount to the step and rounds a buy price down, a sell price up, to the tick', () => {
    const buy = normalizeOrder(limit('buy', '0.123456789', '60000.129'), binance());
    expect(buy.amount!.toFixed()).toBe('0.12345');
    expect(buy.price!.toFixed()).toBe('60000.12');
    const sell = normalizeOrder(limit('sell', '0.123456789', '60000.121'), binance());
    expect(sell.price!.toFixed()).toBe('60000.13');
  });

  it('puts Upbit KRW prices on the KRW price table', () => {
    const buy = normalizeOrder(limit('buy', '0.01', '85123456', 'BTC/KRW'), upbit());
    expect(buy.price!.toFixed()).toBe('85123000');
    const sell = normalizeOrder(limit('sell', '0.01', '85123456', 'BTC/KRW'), upbit());
    expect(sell.price!.toFixed()).toBe('85124000');
  });

  it('refuses an Upbit KRW order under 5,000 KRW and names the minimum and the value', () => {
    const error = violation(() => normalizeOrder(limit('buy', '0.0000390', '80000000', 'BTC/KRW'), upbit()));
    expect(error.code).toBe('ORDER.BELOW_MIN_TOTAL');
    expect(error.message).toBe('Upbit KRW orders need at least 5,000 KRW; this one is 3,120 KRW');
    expect(error.details).toMatchObject({ minimum: '5000', currency: 'KRW', value: '3120' });
  });

  it('refuses a Binance order under the minimum notional', () => {
    const error = violation(() => normalizeOrder(limit('buy', '0.00005', '60000'), binance()));
    expect(error.code).toBe('ORDER.BELOW_MIN_NOTIONAL');
    expect(error.message).toBe('Binance BTC/USDT orders need at least 5 USDT; this one is 3 USDT');
  });

  it('values a market sell by amount at the reference price for the minimum', () => {
    const request: PlaceOrderRequest = { symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: dec('0.00001'), clientOrderId: 'td-2' };
    expect(violation(() => normalizeOrder(request, binance({ referencePrice: dec('60000') }))).code).toBe('ORDER.BELOW_MIN_NOTIONAL');
    expect(normalizeOrder({ ...request, amount: dec('0.001') }, binance({ referencePrice: dec('60000') })).amount!.toFixed()).toBe('0.001');
  });

  it('checks the market buy by cost against the minimum and truncates KRW cost to whole won', () => {
    const request: PlaceOrderRequest = { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: dec('4999.9'), clientOrderId: 'td-3' };
    expect(violation(() => normalizeOrder(request, upbit())).code).toBe('ORDER.BELOW_MIN_TOTAL');
    expect(normalizeOrder({ ...request, cost: dec('10000.7') }, upbit()).cost!.toFixed()).toBe('10000');
  });

  it('asks Upbit market buys for cost instead of amount', () => {
    const request: PlaceOrderRequest = { symbol: 'BTC/KRW', side: 'buy', type: 'market', amount: dec('0.01'), clientOrderId: 'td-4' };
    expect(violation(() => normalizeOrder(request, upbit())).code).toBe('ORDER.COST_REQUIRED');
  });

  it.each([
    [{ type: 'limit', side: 'buy', amount: dec(1) }, 'ORDER.PRICE_REQUIRED'],
    [{ type: 'limit', side: 'buy', price: dec(1) }, 'ORDER.AMOUNT_REQUIRED'],
    [{ type: 'limit', side: 'buy', price: dec(60000), amount: dec(1), cost: dec(1) }, 'ORDER.COST_NOT_ALLOWED'],
    [{ type: 'market', side: 'buy', price: dec(1), amount: dec(1) }, 'ORDER.PRICE_NOT_ALLOWED'],
    [{ type: 'market', side: 'sell' }, 'ORDER.AMOUNT_REQUIRED'],
    [{ type: 'market', side: 'sell', amount: dec(1), cost: dec(10) }, 'ORDER.COST_NOT_ALLOWED'],
    [{ type: 'market', side: 'buy', amount: dec(1), cost: dec(10) }, 'ORDER.AMOUNT_OR_COST_REQUIRED'],
    [{ type: 'market', side: 'buy' }, 'ORDER.AMOUNT_OR_COST_REQUIRED'],
    [{ type: 'limit', side: 'buy', amount: dec(-1), price: dec(1) }, 'ORDER.INVALID_AMOUNT'],
    [{ type: 'limit', side: 'buy', amount: dec(1), price: dec(0) }, 'ORDER.INVALID_PRICE'],
    [{ type: 'limit', side: 'buy', amount: dec('0.000001'), price: dec(60000) }, 'ORDER.AMOUNT_TOO_SMALL'],
    [{ type: 'limit', side: 'buy', amount: dec('9001'), price: dec(60000) }, 'ORDER.ABOVE_MAX_AMOUNT'],
    [{ type: 'limit', side: 'buy', amount: dec('1'), price: dec('2000000') }, 'ORDER.PRICE_OUT_OF_RANGE'],
    [{ type: 'limit', side: 'buy', amount: dec('1'), price: dec('0.001') }, 'ORDER.PRICE_OUT_OF_RANGE'],
  ] as Array<[Partial<PlaceOrderRequest>, string]>)('refuses %o with %s', (shape, code) => {
    expect(
      violation(() => normalizeOrder({ symbol: 'BTC/USDT', clientOrderId: 'td-5', ...shape } as PlaceOrderRequest, binance())).code,
    ).toBe(code);
  });

  it('refuses a closed market, a missing client order id and cost where the exchange takes none', () => {
    expect(violation(() => normalizeOrder(limit('buy', '1', '60000'), binance({ market: { ...btcUsdt, active: false } }))).code).toBe(
      'ORDER.MARKET_CLOSED',
    );
    expect(violation(() => normalizeOrder({ ...limit('buy', '1', '60000'), clientOrderId: '' }, binance())).code).toBe(
      'ORDER.CLIENT_ORDER_ID_REQUIRED',
    );
    const byCost: PlaceOrderRequest = { symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: dec(100), clientOrderId: 'td-6' };
    expect(violation(() => normalizeOrder(byCost, binance({ capabilities: { ...binanceCaps, marketBuyByCost: false } }))).code).toBe(
      'ORDER.COST_NOT_SUPPORTED',
    );
  });

  it('pre-checks the free balance, with the fee reserved on buys', () => {
    const balances = {
      USDT: { asset: 'USDT', free: dec('600'), locked: dec(0), total: dec('600') },
      BTC: { asset: 'BTC', free: dec('0.01'), locked: dec(0), total: dec('0.01') },
    };
    expect(normalizeOrder(limit('buy', '0.01', '60000'), binance({ balances })).amount!.toFixed()).toBe('0.01');
    const buy = violation(() => normalizeOrder(limit('buy', '0.01', '60000'), binance({ balances, feeRate: dec('0.001') })));
    expect(buy.code).toBe('ORDER.INSUFFICIENT_BALANCE');
    expect(buy.message).toBe('This order needs 600.6 USDT; the account has 600 USDT free');
    expect(violation(() => normalizeOrder(limit('sell', '0.02', '60000'), binance({ balances }))).details).toMatchObject({
      asset: 'BTC',
      needed: '0.02',
      free: '0.01',
    });
  });

  it('formats money with thousands separators', () => {
    expect(formatMoney(dec('10000000.5'), 'KRW')).toBe('10,000,000.5 KRW');
    expect(formatMoney(dec('999'), 'USDT')).toBe('999 USDT');
  });
});
