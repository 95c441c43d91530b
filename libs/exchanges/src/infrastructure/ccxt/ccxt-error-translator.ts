import { NotFoundError, UnprocessableError } from '@tradedesk/shared';
import * as ccxt from 'ccxt';
import type { ExchangeId } from '../../domain/exchange-gateway.js';
import {
  AuthenticationFailed,
  ExchangeRateLimited,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidOrder,
  isExchangeError,
  OrderNotFound,
  OutcomeUnknown,
} from '../../domain/exchange.errors.js';

/**
 * What the failed call was: creating an order (whose outcome must never be guessed), another
 * order call (cancel, fetch), or a read.
 */
export type CallKind = 'create-order' | 'order' | 'read';

export interface TranslationContext {
  exchange: ExchangeId;
  kind: CallKind;
  clientOrderId?: string;
  /** Response headers of the failed request (Retry-After), when known. */
  headers?: Record<string, string | undefined>;
}

const AUTH_CODES = new Set([
  '-1022',
  '-2014',
  '-2015',
  'jwt_verification',
  'invalid_access_key',
  'expired_access_key',
  'invalid_query_payload',
  'nonce_used',
  'no_authorization_i_p',
  'out_of_scope',
]);

const NAMES: Record<ExchangeId, string> = { binance: 'Binance', upbit: 'Upbit' };

interface ExchangeReason {
  text: string;
  code?: string;
}

/** The exchange's own reason from a ccxt message such as `binance {"code":-2010,"msg":"…"}`; never a URL. */
export function exchangeReason(error: Error, exchange: ExchangeId): ExchangeReason | undefined {
  const message = error.message;
  const start = message.indexOf('{');
  if (start >= 0) {
    try {
      const body = JSON.parse(message.slice(start)) as {
        code?: number | string;
        msg?: string;
        error?: { name?: string | number; message?: string };
      };
      if (body.msg !== undefined) return { text: body.msg, code: body.code === undefined ? undefined : String(body.code) };
      if (body.error)
        return {
          text: body.error.message ?? String(body.error.name),
          code: body.error.name === undefined ? undefined : String(body.error.name),
        };
    } catch {
      // not JSON: fall through
    }
  }
  const prefix = `${exchange} `;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  if (/^(GET|POST|PUT|DELETE)\s/.test(rest) || /https?:\/\//.test(rest)) return undefined;
  return rest.trim() ? { text: rest.replace(/^\d{3}\s+[A-Za-z ]*\s*/, '').trim() || rest.trim() } : undefined;
}

function retryAfterMs(headers: TranslationContext['headers']): number | undefined {
  if (!headers) return undefined;
  const raw = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function refusedBeforeSending(error: Error): boolean {
  return /ECONNREFUSED|ConnectionRefused|ENOTFOUND|EAI_AGAIN|DNSError|FailedToOpenSocket/i.test(error.message);
}

/**
 * Turns anything a ccxt call threw into one of tradedesk's exchange errors. The one rule that
 * matters most: when an order-creating call fails in a way that does not prove the order was
 * refused, the answer is OutcomeUnknown — the caller looks the order up, it never resends.
 */
export function translateCcxtError(error: unknown, context: TranslationContext): Error {
  if (isExchangeError(error) || error instanceof NotFoundError || error instanceof UnprocessableError) return error;
  const venue = NAMES[context.exchange];
  const facts = (reason?: ExchangeReason) => ({
    exchange: context.exchange,
    ...(reason?.code !== undefined ? { exchangeCode: reason.code } : {}),
    ...(context.clientOrderId ? { clientOrderId: context.clientOrderId } : {}),
  });
  if (!(error instanceof Error)) {
    return context.kind === 'create-order'
      ? new OutcomeUnknown(`${venue}: the order call failed in an unexpected way; its outcome is unknown`, facts())
      : new ExchangeUnavailable(`${venue}: the call failed in an unexpected way`, facts());
  }
  const reason = exchangeReason(error, context.exchange);
  const said = reason ? `: ${reason.text}` : '';
  const unknownOutcome = (what: string) =>
    new OutcomeUnknown(
      `${venue} ${what}; the order may or may not exist — look it up by client order id before doing anything else`,
      facts(reason),
    );

  // Codes ccxt classifies loosely (or per URL) come first, by the exchange's own code.
  const code = reason?.code;
  if (code && AUTH_CODES.has(code)) return new AuthenticationFailed(`${venue} refused the API key${said}`, facts(reason));
  if (code === '-1007' && context.kind === 'create-order') return unknownOutcome(`timed out inside the exchange${said}`);
  if (code && /^(under_min_total|invalid_price|invalid_volume|validation_error)/.test(code) && context.kind !== 'read') {
    return new InvalidOrder(`${venue} refused the order${said}`, facts(reason));
  }
  // Then ccxt's hierarchy, most specific first.
  if (error instanceof ccxt.OrderNotFound) return new OrderNotFound(`${venue} does not know this order${said}`, facts(reason));
  if (error instanceof ccxt.InsufficientFunds)
    return new InsufficientFunds(`${venue} refused the order: insufficient funds${said}`, facts(reason));
  if (error instanceof ccxt.AuthenticationError || error instanceof ccxt.AccountSuspended) {
    return new AuthenticationFailed(`${venue} refused the API key${said}`, facts(reason));
  }
  if (error instanceof ccxt.BadSymbol && context.kind !== 'create-order') {
    return new NotFoundError('MARKET.NOT_FOUND', `${venue} does not list this market${said}`, facts(reason));
  }
  if (error instanceof ccxt.InvalidOrder || error instanceof ccxt.BadRequest || error instanceof ccxt.ArgumentsRequired) {
    return context.kind === 'read'
      ? new UnprocessableError('EXCHANGE.BAD_REQUEST', `${venue} refused the request${said}`, facts(reason))
      : new InvalidOrder(`${venue} refused the order${said}`, facts(reason));
  }
  if (error instanceof ccxt.NotSupported)
    return new UnprocessableError('EXCHANGE.NOT_SUPPORTED', `${venue} does not support this${said}`, facts(reason));
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) {
    // A 429 is answered before execution: even for an order it proves nothing was placed.
    return new ExchangeRateLimited(`${venue} asked us to slow down${said}`, facts(reason), retryAfterMs(context.headers));
  }
  if (error instanceof ccxt.InvalidNonce) {
    // -1021: the request was refused for its timestamp, before execution.
    return new ExchangeUnavailable(`${venue} refused the request's timestamp (clock skew)${said}`, facts(reason));
  }
  if (error instanceof ccxt.RequestTimeout) {
    return context.kind === 'create-order'
      ? unknownOutcome(`did not confirm the order in time${said}`)
      : new ExchangeUnavailable(`${venue} did not answer in time`, facts(reason));
  }
  if (error instanceof ccxt.NetworkError) {
    if (context.kind === 'create-order' && !refusedBeforeSending(error))
      return unknownOutcome(`answered with an error or dropped the connection${said}`);
    return new ExchangeUnavailable(`${venue} is not reachable${said}`, facts(reason));
  }
  if (error instanceof ccxt.ExchangeError) {
    // An exchange error ccxt did not classify (Upbit under_min_total, invalid_price…): a refusal.
    return context.kind === 'read'
      ? new ExchangeUnavailable(`${venue} answered with an error${said}`, facts(reason))
      : new InvalidOrder(`${venue} refused the order${said}`, facts(reason));
  }
  if (error instanceof ccxt.BaseError) {
    return context.kind === 'create-order'
      ? unknownOutcome(`gave an unreadable answer${said}`)
      : new ExchangeUnavailable(`${venue} gave an unreadable answer${said}`, facts(reason));
  }
  return context.kind === 'create-order' ? unknownOutcome('call failed unexpectedly') : error;
}
