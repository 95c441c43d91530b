import { dec, type Decimal } from '@tradedesk/shared';
import type { Order as CcxtOrder, Ticker as CcxtTicker, Trade as CcxtTrade } from 'ccxt';
import type { ExchangeOrder, ExchangeOrderStatus, ExchangeTrade, PlaceOrderRequest, Ticker } from '../../domain/exchange-gateway.js';

/** ccxt's structures as tradedesk's: numbers as exact decimals, states in tradedesk's words. */

const STATUS: Record<string, ExchangeOrderStatus> = {
  open: 'open',
  closed: 'closed',
  canceled: 'canceled',
  cancelled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
};

/** ccxt runs with `number: String`, so its numbers reach us as strings; a float never holds money. */
export function optionalDec(value: unknown): Decimal | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`ccxt gave a ${typeof value} where a number belongs`);
  const parsed = dec(String(value));
  return parsed.isFinite() ? parsed : undefined;
}

export function required(value: unknown, fallback = '0'): Decimal {
  return optionalDec(value) ?? dec(fallback);
}

export function toTicker(ticker: CcxtTicker): Ticker {
  return {
    symbol: ticker.symbol ?? '',
    last: required(ticker.last ?? ticker.close),
    bid: optionalDec(ticker.bid),
    ask: optionalDec(ticker.ask),
    high: optionalDec(ticker.high),
    low: optionalDec(ticker.low),
    baseVolume: optionalDec(ticker.baseVolume),
    quoteVolume: optionalDec(ticker.quoteVolume),
    percentage: optionalDec(ticker.percentage),
    timestamp: new Date(ticker.timestamp ?? Date.now()),
  };
}

export function toTrade(trade: CcxtTrade): ExchangeTrade {
  return {
    tradeId: String(trade.id),
    orderId: String(trade.order ?? ''),
    symbol: trade.symbol ?? '',
    side: trade.side === 'buy' || trade.side === 'sell' ? trade.side : undefined,
    price: required(trade.price),
    amount: required(trade.amount),
    fee: required(trade.fee?.cost),
    feeCurrency: trade.fee?.currency ?? undefined,
    timestamp: new Date(trade.timestamp ?? Date.now()),
  };
}

/** ccxt's order as tradedesk's; `exchangeState` is the venue's own word for its state, `sent` what was asked for. */
export function toExchangeOrder(order: CcxtOrder, exchangeState: string, sent?: PlaceOrderRequest): ExchangeOrder {
  const filled = required(order.filled);
  const amount = optionalDec(order.amount) ?? sent?.amount;
  const trades = (order.trades ?? []).map((t) => toTrade(t));
  const fee =
    // != null: a JSON answer can carry null where ccxt's types say a number or nothing.
    order.fee?.cost != null ? { cost: required(order.fee.cost), currency: order.fee.currency ?? undefined } : undefined;
  return {
    exchangeOrderId: String(order.id),
    clientOrderId: order.clientOrderId ?? sent?.clientOrderId,
    symbol: order.symbol ?? sent?.symbol ?? '',
    side: (order.side as ExchangeOrder['side']) ?? sent?.side,
    type: order.type ?? sent?.type ?? 'unknown',
    status: STATUS[order.status ?? ''] ?? 'open',
    exchangeState,
    amount,
    filled,
    remaining: optionalDec(order.remaining) ?? (amount ? amount.minus(filled) : undefined),
    price: optionalDec(order.price),
    average: optionalDec(order.average),
    cost: required(order.cost),
    fee,
    timestamp: new Date(order.timestamp ?? Date.now()),
    ...(trades.length > 0 ? { trades } : {}),
  };
}
