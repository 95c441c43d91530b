import { NotFoundError, UnprocessableError } from '@tradedesk/shared';
import * as ccxt from 'ccxt';
import type { ExchangeId } from '../../domain/exchange-gateway.js';
import {
  AuthenticationFailed,
  ExchangeRateLimited,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidOrder,
  type ExchangeErrorFacts,
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
  const fromBody = start >= 0 ? reasonInBody(message.slice(start)) : undefined;
  if (fromBody) return fromBody;
  const prefix = `${exchange} `;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  if (/^(GET|POST|PUT|DELETE)\s/.test(rest) || /https?:\/\//.test(rest)) return undefined;
  return rest.trim() ? { text: rest.replace(/^\d{3}\s+[A-Za-z ]*\s*/, '').trim() || rest.trim() } : undefined;
}

/** Binance's `{"code", "msg"}` or Upbit's `{"error": {"name", "message"}}`; undefined when the text is neither (or not JSON). */
function reasonInBody(text: string): ExchangeReason | undefined {
  let body: { code?: number | string; msg?: string; error?: { name?: string | number; message?: string } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return undefined;
  }
  if (body.msg !== undefined) return { text: body.msg, code: body.code === undefined ? undefined : String(body.code) };
  if (body.error)
    return {
      text: body.error.message ?? String(body.error.name),
      code: body.error.name === undefined ? undefined : String(body.error.name),
    };
  return undefined;
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

/** What every translated error is built from: the venue, the exchange's reason and the call it failed. */
interface Failure {
  venue: string;
  /** `: <the exchange's reason>`, or nothing. */
  said: string;
  kind: CallKind;
  facts: ExchangeErrorFacts;
  headers: TranslationContext['headers'];
  /** The answer for an order call that may have placed the order: look it up, never resend. */
  unknownOutcome(what: string): OutcomeUnknown;
}

/**
 * Turns anything a ccxt call threw into one of tradedesk's exchange errors. The one rule that
 * matters most: when an order-creating call fails in a way that does not prove the order was
 * refused, the answer is OutcomeUnknown — the caller looks the order up, it never resends.
 */
export function translateCcxtError(error: unknown, context: TranslationContext): Error {
  if (isExchangeError(error) || error instanceof NotFoundError || error instanceof UnprocessableError) return error;
  const venue = NAMES[context.exchange];
  if (!(error instanceof Error)) {
    return context.kind === 'create-order'
      ? new OutcomeUnknown(`${venue}: the order call failed in an unexpected way; its outcome is unknown`, factsOf(context))
      : new ExchangeUnavailable(`${venue}: the call failed in an unexpected way`, factsOf(context));
  }
  const reason = exchangeReason(error, context.exchange);
  const facts = factsOf(context, reason);
  const failure: Failure = {
    venue,
    said: reason ? `: ${reason.text}` : '',
    kind: context.kind,
    facts,
    headers: context.headers,
    unknownOutcome: (what) =>
      new OutcomeUnknown(
        `${venue} ${what}; the order may or may not exist — look it up by client order id before doing anything else`,
        facts,
      ),
  };
  // Codes ccxt classifies loosely (or per URL) come first, by the exchange's own code; then ccxt's hierarchy.
  return (
    byExchangeCode(reason?.code, failure) ??
    byCcxtClass(error, failure) ??
    (context.kind === 'create-order' ? failure.unknownOutcome('call failed unexpectedly') : error)
  );
}

function factsOf(context: TranslationContext, reason?: ExchangeReason): ExchangeErrorFacts {
  return {
    exchange: context.exchange,
    ...(reason?.code !== undefined ? { exchangeCode: reason.code } : {}),
    ...(context.clientOrderId ? { clientOrderId: context.clientOrderId } : {}),
  };
}

function byExchangeCode(code: string | undefined, f: Failure): Error | undefined {
  if (!code) return undefined;
  if (AUTH_CODES.has(code)) return new AuthenticationFailed(`${f.venue} refused the API key${f.said}`, f.facts);
  if (code === '-1007' && f.kind === 'create-order') return f.unknownOutcome(`timed out inside the exchange${f.said}`);
  if (/^(under_min_total|invalid_price|invalid_volume|validation_error)/.test(code) && f.kind !== 'read') {
    return new InvalidOrder(`${f.venue} refused the order${f.said}`, f.facts);
  }
  return undefined;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * ccxt's hierarchy, most specific first: the first row whose class the error is an instance of
 * and whose translation applies (one may decline for some calls: the next row then decides).
 */
const BY_CCXT_CLASS: ReadonlyArray<[ReadonlyArray<ErrorClass>, (f: Failure, error: Error) => Error | undefined]> = [
  [[ccxt.OrderNotFound], (f) => new OrderNotFound(`${f.venue} does not know this order${f.said}`, f.facts)],
  [[ccxt.InsufficientFunds], (f) => new InsufficientFunds(`${f.venue} refused the order: insufficient funds${f.said}`, f.facts)],
  [[ccxt.AuthenticationError, ccxt.AccountSuspended], (f) => new AuthenticationFailed(`${f.venue} refused the API key${f.said}`, f.facts)],
  [
    [ccxt.BadSymbol],
    (f) =>
      f.kind === 'create-order'
        ? undefined
        : new NotFoundError('MARKET.NOT_FOUND', `${f.venue} does not list this market${f.said}`, f.facts),
  ],
  [
    [ccxt.InvalidOrder, ccxt.BadRequest, ccxt.ArgumentsRequired],
    (f) =>
      f.kind === 'read'
        ? new UnprocessableError('EXCHANGE.BAD_REQUEST', `${f.venue} refused the request${f.said}`, f.facts)
        : new InvalidOrder(`${f.venue} refused the order${f.said}`, f.facts),
  ],
  [[ccxt.NotSupported], (f) => new UnprocessableError('EXCHANGE.NOT_SUPPORTED', `${f.venue} does not support this${f.said}`, f.facts)],
  // A 429 is answered before execution: even for an order it proves nothing was placed.
  [
    [ccxt.RateLimitExceeded, ccxt.DDoSProtection],
    (f) => new ExchangeRateLimited(`${f.venue} asked us to slow down${f.said}`, f.facts, retryAfterMs(f.headers)),
  ],
  // -1021: the request was refused for its timestamp, before execution.
  [[ccxt.InvalidNonce], (f) => new ExchangeUnavailable(`${f.venue} refused the request's timestamp (clock skew)${f.said}`, f.facts)],
  [
    [ccxt.RequestTimeout],
    (f) =>
      f.kind === 'create-order'
        ? f.unknownOutcome(`did not confirm the order in time${f.said}`)
        : new ExchangeUnavailable(`${f.venue} did not answer in time`, f.facts),
  ],
  [
    [ccxt.NetworkError],
    (f, error) =>
      f.kind === 'create-order' && !refusedBeforeSending(error)
        ? f.unknownOutcome(`answered with an error or dropped the connection${f.said}`)
        : new ExchangeUnavailable(`${f.venue} is not reachable${f.said}`, f.facts),
  ],
  // An exchange error ccxt did not classify (Upbit under_min_total, invalid_price…): a refusal.
  [
    [ccxt.ExchangeError],
    (f) =>
      f.kind === 'read'
        ? new ExchangeUnavailable(`${f.venue} answered with an error${f.said}`, f.facts)
        : new InvalidOrder(`${f.venue} refused the order${f.said}`, f.facts),
  ],
  [
    [ccxt.BaseError],
    (f) =>
      f.kind === 'create-order'
        ? f.unknownOutcome(`gave an unreadable answer${f.said}`)
        : new ExchangeUnavailable(`${f.venue} gave an unreadable answer${f.said}`, f.facts),
  ],
];

function byCcxtClass(error: Error, f: Failure): Error | undefined {
  for (const [classes, translate] of BY_CCXT_CLASS) {
    if (!classes.some((errorClass) => error instanceof errorClass)) continue;
    const translated = translate(f, error);
    if (translated) return translated;
  }
  return undefined;
}
