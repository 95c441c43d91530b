import { NotFoundError, RateLimitedError, UnavailableError, UnprocessableError } from '@tradedesk/shared';
import type { ExchangeId } from './exchange-gateway.js';

/**
 * The exchange errors tradedesk knows, translated once at the adapter edge from ccxt's.
 * `temporary` says a read may be retried after a pause; order-creating calls never are.
 * Messages carry the exchange's reason but never a key, a signature or a request body.
 */
export interface ExchangeErrorFacts {
  exchange: ExchangeId;
  /** The exchange's own code or error name (`-2010`, `insufficient_funds_bid`), when it gave one. */
  exchangeCode?: string;
  [key: string]: unknown;
}

/** Not reachable, 5xx, maintenance: temporary. */
export class ExchangeUnavailable extends UnavailableError {
  readonly temporary = true;
  constructor(message: string, facts: ExchangeErrorFacts) {
    super('EXCHANGE.UNAVAILABLE', message, facts);
  }
}

/** The exchange (or our own governor) says slow down; `retryAfterMs` when it said how long. */
export class ExchangeRateLimited extends RateLimitedError {
  readonly temporary = true;
  constructor(
    message: string,
    facts: ExchangeErrorFacts,
    readonly retryAfterMs?: number,
  ) {
    super('EXCHANGE.RATE_LIMITED', message, { ...facts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
}

/** The exchange refused the order itself (filters, price, duplicate id…), with its reason. */
export class InvalidOrder extends UnprocessableError {
  readonly temporary = false;
  constructor(message: string, facts: ExchangeErrorFacts) {
    super('EXCHANGE.INVALID_ORDER', message, facts);
  }
}

export class InsufficientFunds extends UnprocessableError {
  readonly temporary = false;
  constructor(message: string, facts: ExchangeErrorFacts) {
    super('EXCHANGE.INSUFFICIENT_FUNDS', message, facts);
  }
}

/** Bad key, bad signature, key without the permission or IP: never retried. */
export class AuthenticationFailed extends UnprocessableError {
  readonly temporary = false;
  constructor(message: string, facts: ExchangeErrorFacts) {
    super('EXCHANGE.AUTHENTICATION_FAILED', message, facts);
  }
}

export class OrderNotFound extends NotFoundError {
  readonly temporary = false;
  constructor(message: string, facts: ExchangeErrorFacts) {
    super('EXCHANGE.ORDER_NOT_FOUND', message, facts);
  }
}

/**
 * An order-creating call whose result we do not know (timeout, 5xx, connection lost, Binance -1007):
 * the order may exist. Resolve it by fetching the order by client order id; never resend blindly.
 */
export class OutcomeUnknown extends UnavailableError {
  readonly temporary = false;
  constructor(message: string, facts: ExchangeErrorFacts & { clientOrderId?: string }) {
    super('EXCHANGE.OUTCOME_UNKNOWN', message, facts);
  }
}

export type ExchangeError =
  ExchangeUnavailable | ExchangeRateLimited | InvalidOrder | InsufficientFunds | AuthenticationFailed | OrderNotFound | OutcomeUnknown;

export function isExchangeError(error: unknown): error is ExchangeError {
  return (
    error instanceof ExchangeUnavailable ||
    error instanceof ExchangeRateLimited ||
    error instanceof InvalidOrder ||
    error instanceof InsufficientFunds ||
    error instanceof AuthenticationFailed ||
    error instanceof OrderNotFound ||
    error instanceof OutcomeUnknown
  );
}

/** True for errors after which a read (never an order) may be tried again. */
export function isTemporaryExchangeError(error: unknown): error is ExchangeUnavailable | ExchangeRateLimited {
  return error instanceof ExchangeUnavailable || error instanceof ExchangeRateLimited;
}
