import { dec, type Decimal, ValidationError } from '@tradedesk/shared';
import type { Balances, ExchangeCapabilities, ExchangeId, Market, PlaceOrderRequest } from './exchange-gateway.js';
import { roundToKrwPriceStep } from './krw-price-steps.js';

export interface OrderRuleContext {
  exchange: ExchangeId;
  market: Market;
  capabilities: ExchangeCapabilities;
  /** For the balance pre-check; skipped when absent. */
  balances?: Balances;
  /** Best ask (buys) or bid (sells): values market orders sized by amount. */
  referencePrice?: Decimal;
  /** Taker fee rate reserved on top of a buy's quote value (Upbit locks it with the order). */
  feeRate?: Decimal;
}

const EXCHANGE_NAMES: Record<ExchangeId, string> = { binance: 'Binance', upbit: 'Upbit' };

/** Amount of money as people write it: 5,000 KRW, 3.2 USDT. */
export function formatMoney(value: Decimal, currency: string): string {
  const [integer, fraction] = value.toFixed().split('.');
  const grouped = groupThousands(integer);
  return `${fraction ? `${grouped}.${fraction}` : grouped} ${currency}`;
}

/** `-1234567` → `-1,234,567`: digits in groups of three from the right, the sign kept in front. */
function groupThousands(integer: string): string {
  const sign = integer.startsWith('-') ? '-' : '';
  const digits = integer.slice(sign.length);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  return sign + groups.join(',');
}

function rule(code: string, message: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError(code, message, details);
}

function floorToStep(value: Decimal, step: Decimal): Decimal {
  return value.div(step).floor().mul(step);
}

function roundPrice(market: Market, capabilities: ExchangeCapabilities, price: Decimal, side: PlaceOrderRequest['side']): Decimal {
  // A buy limit is never raised and a sell limit never lowered: the user's limit stays a limit.
  const rounding = side === 'buy' ? 'down' : 'up';
  if (capabilities.priceStepRule === 'krw-price-table' && market.quote === 'KRW') return roundToKrwPriceStep(price, rounding);
  if (!market.priceStep) return price;
  const units = price.div(market.priceStep);
  return (rounding === 'down' ? units.floor() : units.ceil()).mul(market.priceStep);
}

function costStep(market: Market): Decimal {
  return market.quote === 'KRW' ? dec(1) : dec('0.00000001');
}

function positive(name: 'amount' | 'cost' | 'price', value: Decimal | undefined): void {
  if (value !== undefined && (!value.isFinite() || !value.isPositive() || value.isZero())) {
    throw rule('ORDER.INVALID_' + name.toUpperCase(), `${name} must be a positive decimal`, { field: name });
  }
}

/**
 * The exchange's rules applied locally, before any exchange call: shape of the order, amount
 * step and limits, price step (Binance tick size, Upbit's KRW table), minimum notional or minimum
 * total, and free balance. Returns the request as it will be sent, or throws a ValidationError
 * whose code names the rule and whose message names the limit.
 */
export function normalizeOrder(request: PlaceOrderRequest, context: OrderRuleContext): PlaceOrderRequest {
  const { market } = context;
  const venue = EXCHANGE_NAMES[context.exchange];
  if (!market.active) throw rule('ORDER.MARKET_CLOSED', `${venue} ${market.symbol} is not trading`, { symbol: market.symbol });
  positive('amount', request.amount);
  positive('cost', request.cost);
  positive('price', request.price);
  if (!request.clientOrderId) throw rule('ORDER.CLIENT_ORDER_ID_REQUIRED', 'clientOrderId is required', { field: 'clientOrderId' });
  checkShape(request, context, venue);

  const out: PlaceOrderRequest = { symbol: market.symbol, side: request.side, type: request.type, clientOrderId: request.clientOrderId };
  if (request.amount !== undefined) out.amount = steppedAmount(request.amount, market, venue);
  if (request.price !== undefined) out.price = steppedPrice(request.price, request.side, context, venue);
  if (request.cost !== undefined) out.cost = steppedCost(request.cost, market);

  const notional =
    out.cost ?? (out.price ? out.amount!.mul(out.price) : context.referencePrice ? out.amount!.mul(context.referencePrice) : undefined);
  if (notional) checkNotional(notional, context, venue);
  if (context.balances) checkBalance(out, notional, context.balances, context);
  return out;
}

/** Which of amount, cost and price an order of this type and side takes, and which it must have. */
function checkShape(request: PlaceOrderRequest, context: OrderRuleContext, venue: string): void {
  if (request.type === 'limit') {
    if (request.price === undefined) throw rule('ORDER.PRICE_REQUIRED', 'A limit order needs a price', { field: 'price' });
    if (request.amount === undefined) throw rule('ORDER.AMOUNT_REQUIRED', 'A limit order needs an amount', { field: 'amount' });
    if (request.cost !== undefined) throw rule('ORDER.COST_NOT_ALLOWED', 'cost is only for market buys', { field: 'cost' });
    return;
  }
  if (request.price !== undefined) throw rule('ORDER.PRICE_NOT_ALLOWED', 'A market order takes no price', { field: 'price' });
  if (request.side === 'sell') {
    if (request.amount === undefined) throw rule('ORDER.AMOUNT_REQUIRED', 'A market sell needs an amount', { field: 'amount' });
    if (request.cost !== undefined) throw rule('ORDER.COST_NOT_ALLOWED', 'cost is only for market buys', { field: 'cost' });
    return;
  }
  checkMarketBuySizing(request, context, venue);
}

/** A market buy is sized by amount or by cost, as the venue allows (Upbit KRW: by cost only). */
function checkMarketBuySizing(request: PlaceOrderRequest, { market, capabilities }: OrderRuleContext, venue: string): void {
  if ((request.amount === undefined) === (request.cost === undefined)) {
    throw rule('ORDER.AMOUNT_OR_COST_REQUIRED', 'A market buy needs exactly one of amount or cost', { field: 'cost' });
  }
  if (request.amount !== undefined && capabilities.priceStepRule === 'krw-price-table') {
    throw rule('ORDER.COST_REQUIRED', `${venue} market buys are sized in ${market.quote}: give cost instead of amount`, {
      field: 'cost',
    });
  }
  if (request.cost !== undefined && !capabilities.marketBuyByCost) {
    throw rule('ORDER.COST_NOT_SUPPORTED', `${venue} does not take market buys by cost`, { field: 'cost' });
  }
}

/** The amount floored to the market's step, within its minimum and maximum. */
function steppedAmount(requested: Decimal, market: Market, venue: string): Decimal {
  const amount = floorToStep(requested, market.amountStep);
  const limits = { symbol: market.symbol, step: market.amountStep.toFixed() };
  if (amount.isZero()) {
    throw rule(
      'ORDER.AMOUNT_TOO_SMALL',
      `${venue} ${market.symbol} amounts go in steps of ${market.amountStep.toFixed()} ${market.base}; ${requested.toFixed()} rounds to 0`,
      limits,
    );
  }
  if (market.minAmount && amount.lessThan(market.minAmount)) {
    throw rule(
      'ORDER.BELOW_MIN_AMOUNT',
      `${venue} ${market.symbol} orders need at least ${formatMoney(market.minAmount, market.base)}; this one is ${formatMoney(amount, market.base)}`,
      {
        ...limits,
        minAmount: market.minAmount.toFixed(),
      },
    );
  }
  if (market.maxAmount && amount.greaterThan(market.maxAmount)) {
    throw rule(
      'ORDER.ABOVE_MAX_AMOUNT',
      `${venue} ${market.symbol} orders take at most ${formatMoney(market.maxAmount, market.base)}; this one is ${formatMoney(amount, market.base)}`,
      {
        ...limits,
        maxAmount: market.maxAmount.toFixed(),
      },
    );
  }
  return amount;
}

/** The limit price rounded to the market's step (away from the market: see roundPrice), within its range. */
function steppedPrice(
  requested: Decimal,
  side: PlaceOrderRequest['side'],
  { market, capabilities }: OrderRuleContext,
  venue: string,
): Decimal {
  const price = roundPrice(market, capabilities, requested, side);
  if ((market.minPrice && price.lessThan(market.minPrice)) || (market.maxPrice && price.greaterThan(market.maxPrice))) {
    throw rule(
      'ORDER.PRICE_OUT_OF_RANGE',
      `${venue} ${market.symbol} prices must lie between ${market.minPrice?.toFixed() ?? '0'} and ${market.maxPrice?.toFixed() ?? 'unlimited'}`,
      {
        symbol: market.symbol,
        minPrice: market.minPrice?.toFixed(),
        maxPrice: market.maxPrice?.toFixed(),
      },
    );
  }
  if (price.isZero())
    throw rule('ORDER.PRICE_OUT_OF_RANGE', `${venue} ${market.symbol}: price ${requested.toFixed()} rounds to 0`, {
      symbol: market.symbol,
    });
  return price;
}

/** A market buy's budget floored to what the quote currency can express. */
function steppedCost(requested: Decimal, market: Market): Decimal {
  const cost = floorToStep(requested, costStep(market));
  if (cost.isZero()) throw rule('ORDER.INVALID_COST', `cost ${requested.toFixed()} rounds to 0 ${market.quote}`, { field: 'cost' });
  return cost;
}

/** The order's value in the quote currency against the market's (or the venue's) minimum and the market's maximum. */
function checkNotional(notional: Decimal, { market, capabilities }: OrderRuleContext, venue: string): void {
  const minNotional =
    market.minNotional ?? (capabilities.minOrderValue?.currency === market.quote ? capabilities.minOrderValue.amount : undefined);
  if (minNotional && notional.lessThan(minNotional)) {
    const code = capabilities.priceStepRule === 'krw-price-table' ? 'ORDER.BELOW_MIN_TOTAL' : 'ORDER.BELOW_MIN_NOTIONAL';
    const what = market.quote === 'KRW' ? `${venue} KRW orders` : `${venue} ${market.symbol} orders`;
    throw rule(
      code,
      `${what} need at least ${formatMoney(minNotional, market.quote)}; this one is ${formatMoney(notional.toDecimalPlaces(8), market.quote)}`,
      {
        symbol: market.symbol,
        minimum: minNotional.toFixed(),
        currency: market.quote,
        value: notional.toFixed(),
      },
    );
  }
  if (market.maxNotional && notional.greaterThan(market.maxNotional)) {
    throw rule(
      'ORDER.ABOVE_MAX_NOTIONAL',
      `${venue} ${market.symbol} orders take at most ${formatMoney(market.maxNotional, market.quote)}; this one is ${formatMoney(notional, market.quote)}`,
      {
        symbol: market.symbol,
        maximum: market.maxNotional.toFixed(),
        currency: market.quote,
      },
    );
  }
}

/** A sell needs its amount of the base asset free; a buy its value plus the fee the venue locks with it. */
function checkBalance(out: PlaceOrderRequest, notional: Decimal | undefined, balances: Balances, context: OrderRuleContext): void {
  const { market } = context;
  const [asset, needed] =
    out.side === 'sell'
      ? [market.base, out.amount!]
      : [market.quote, notional ? notional.mul(dec(1).plus(context.feeRate ?? 0)) : undefined];
  if (!needed) return;
  const free = balances[asset]?.free ?? dec(0);
  if (free.lessThan(needed)) {
    throw rule(
      'ORDER.INSUFFICIENT_BALANCE',
      `This order needs ${formatMoney(needed.toDecimalPlaces(8), asset)}; the account has ${formatMoney(free, asset)} free`,
      {
        asset,
        needed: needed.toFixed(),
        free: free.toFixed(),
      },
    );
  }
}
