import { NotFoundError, UnprocessableError } from '@tradedesk/shared';
import * as ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationFailed,
  ExchangeRateLimited,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidOrder,
  OrderNotFound,
  OutcomeUnknown,
} from '../../domain/exchange.errors.js';
import { type CallKind, exchangeReason, translateCcxtError } from './ccxt-error-translator.js';

const binanceBody = (code: number, msg: string) => `binance ${JSON.stringify({ code, msg })}`;
const upbitBody = (name: string, message: string) => `upbit ${JSON.stringify({ error: { name, message } })}`;

type Row = [string, () => Error, CallKind, new (...args: never[]) => Error, string?];

const table: Row[] = [
  [
    'binance insufficient balance',
    () => new ccxt.InsufficientFunds(binanceBody(-2010, 'Account has insufficient balance for requested action.')),
    'create-order',
    InsufficientFunds,
    '-2010',
  ],
  [
    'binance duplicate order',
    () => new ccxt.InvalidOrder(binanceBody(-2010, 'Duplicate order sent.')),
    'create-order',
    InvalidOrder,
    '-2010',
  ],
  [
    'binance LOT_SIZE',
    () =>
      new ccxt.InvalidOrder(
        `binance order amount should be evenly divisible ${JSON.stringify({ code: -1013, msg: 'Filter failure: LOT_SIZE' })}`,
      ),
    'create-order',
    InvalidOrder,
    '-1013',
  ],
  ['binance NOTIONAL', () => new ccxt.BadRequest(binanceBody(-1013, 'Filter failure: NOTIONAL')), 'create-order', InvalidOrder, '-1013'],
  [
    'binance unknown order on cancel',
    () => new ccxt.OrderNotFound(binanceBody(-2011, 'Unknown order sent.')),
    'order',
    OrderNotFound,
    '-2011',
  ],
  [
    'binance order does not exist',
    () => new ccxt.OrderNotFound(binanceBody(-2013, 'Order does not exist.')),
    'order',
    OrderNotFound,
    '-2013',
  ],
  [
    'binance bad signature',
    () => new ccxt.AuthenticationError(binanceBody(-1022, 'Signature for this request is not valid.')),
    'read',
    AuthenticationFailed,
    '-1022',
  ],
  [
    'binance bad key (-2015)',
    () => new ccxt.ExchangeError(binanceBody(-2015, 'Invalid API-key, IP, or permissions for action.')),
    'read',
    AuthenticationFailed,
    '-2015',
  ],
  [
    'binance -1007 on create',
    () => new ccxt.RequestTimeout(binanceBody(-1007, 'Timeout waiting for response from backend server.')),
    'create-order',
    OutcomeUnknown,
    '-1007',
  ],
  [
    'binance -1007 as BadResponse',
    () => new ccxt.BadResponse(binanceBody(-1007, 'Timeout waiting for response from backend server.')),
    'create-order',
    OutcomeUnknown,
    '-1007',
  ],
  [
    'binance -1021',
    () => new ccxt.InvalidNonce(binanceBody(-1021, 'Timestamp for this request is outside of the recvWindow.')),
    'create-order',
    ExchangeUnavailable,
    '-1021',
  ],
  [
    'binance 429',
    () => new ccxt.DDoSProtection('binance 429 Too Many Requests {"code":-1003,"msg":"Too many requests."}'),
    'create-order',
    ExchangeRateLimited,
    '-1003',
  ],
  [
    'client timeout on create',
    () => new ccxt.RequestTimeout('binance POST http://127.0.0.1:1/binance/api/v3/order request timed out (10000 ms)'),
    'create-order',
    OutcomeUnknown,
  ],
  [
    'client timeout on read',
    () => new ccxt.RequestTimeout('binance GET http://127.0.0.1:1/binance/api/v3/ticker request timed out (10000 ms)'),
    'read',
    ExchangeUnavailable,
  ],
  ['5xx on create', () => new ccxt.ExchangeNotAvailable('binance 503 Service Unavailable'), 'create-order', OutcomeUnknown],
  ['5xx on read', () => new ccxt.ExchangeNotAvailable('binance 503 Service Unavailable'), 'read', ExchangeUnavailable],
  [
    'connection reset on create',
    () => new ccxt.NetworkError('binance POST http://x/api/v3/order fetch failed: other side closed'),
    'create-order',
    OutcomeUnknown,
  ],
  [
    'connection refused on create',
    () => new ccxt.NetworkError('binance POST http://x/api/v3/order fetch failed: connect ECONNREFUSED 127.0.0.1:1'),
    'create-order',
    ExchangeUnavailable,
  ],
  ['unparsable answer on create', () => new ccxt.BaseError('binance unexpected'), 'create-order', OutcomeUnknown],
  ['non-ccxt error on create', () => new TypeError('boom'), 'create-order', OutcomeUnknown],
  [
    'upbit insufficient funds',
    () => new ccxt.InsufficientFunds(upbitBody('insufficient_funds_bid', '주문가능한 금액(KRW)이 부족합니다.')),
    'create-order',
    InsufficientFunds,
    'insufficient_funds_bid',
  ],
  [
    'upbit under min total',
    () => new ccxt.ExchangeError(upbitBody('under_min_total_bid', '최소주문금액 이상으로 주문해주세요')),
    'create-order',
    InvalidOrder,
    'under_min_total_bid',
  ],
  [
    'upbit invalid price',
    () => new ccxt.ExchangeError(upbitBody('invalid_price_bid', '주문가격 단위를 잘못 입력하셨습니다.')),
    'create-order',
    InvalidOrder,
    'invalid_price_bid',
  ],
  [
    'upbit jwt',
    () => new ccxt.AuthenticationError(upbitBody('jwt_verification', 'Jwt 토큰 검증에 실패했습니다.')),
    'read',
    AuthenticationFailed,
    'jwt_verification',
  ],
  ['upbit nonce used', () => new ccxt.ExchangeError(upbitBody('nonce_used', 'nonce used')), 'read', AuthenticationFailed, 'nonce_used'],
  [
    'upbit order not found',
    () => new ccxt.OrderNotFound(upbitBody('order_not_found', '주문을 찾지 못했습니다.')),
    'order',
    OrderNotFound,
    'order_not_found',
  ],
  ['upbit 429 text', () => new ccxt.RateLimitExceeded('upbit Too many API requests.'), 'read', ExchangeRateLimited],
  [
    'upbit unknown error on read',
    () => new ccxt.ExchangeError(upbitBody('server_error', 'oops')),
    'read',
    ExchangeUnavailable,
    'server_error',
  ],
  [
    'unknown exchange error on an order',
    () => new ccxt.ExchangeError(binanceBody(-1111, 'Precision is over the maximum defined for this asset.')),
    'create-order',
    InvalidOrder,
    '-1111',
  ],
];

describe('translateCcxtError', () => {
  it.each(table)('%s → the right class', (_name, make, kind, expected, exchangeCode) => {
    const exchange = _name.startsWith('upbit') ? 'upbit' : 'binance';
    const translated = translateCcxtError(make(), { exchange, kind, clientOrderId: 'td-abc' });
    expect(translated).toBeInstanceOf(expected);
    if (exchangeCode) expect((translated as { details?: Record<string, unknown> }).details?.exchangeCode).toBe(exchangeCode);
    expect(translated.message).not.toMatch(/https?:\/\//);
  });

  it("keeps the exchange's reason in the message", () => {
    const error = translateCcxtError(new ccxt.InvalidOrder(binanceBody(-2010, 'Duplicate order sent.')), {
      exchange: 'binance',
      kind: 'create-order',
    });
    expect(error.message).toBe('Binance refused the order: Duplicate order sent.');
    expect((error as InvalidOrder).code).toBe('EXCHANGE.INVALID_ORDER');
  });

  it('reads Retry-After into the rate-limit error', () => {
    const error = translateCcxtError(new ccxt.DDoSProtection('binance 429 Too Many Requests'), {
      exchange: 'binance',
      kind: 'read',
      headers: { 'Retry-After': '7' },
    });
    expect((error as ExchangeRateLimited).retryAfterMs).toBe(7000);
  });

  it('passes tradedesk errors through and maps bad symbols and unsupported calls', () => {
    const own = new OrderNotFound('x', { exchange: 'binance' });
    expect(translateCcxtError(own, { exchange: 'binance', kind: 'order' })).toBe(own);
    expect(
      translateCcxtError(new ccxt.BadSymbol(binanceBody(-1121, 'Invalid symbol.')), { exchange: 'binance', kind: 'read' }),
    ).toBeInstanceOf(NotFoundError);
    expect(
      translateCcxtError(new ccxt.NotSupported('binance fetchX() is not supported'), { exchange: 'binance', kind: 'read' }),
    ).toBeInstanceOf(UnprocessableError);
    const plain = new RangeError('bug');
    expect(translateCcxtError(plain, { exchange: 'binance', kind: 'read' })).toBe(plain);
    expect(translateCcxtError('weird', { exchange: 'upbit', kind: 'create-order' })).toBeInstanceOf(OutcomeUnknown);
  });

  it('extracts the reason from Binance and Upbit bodies, and never a URL', () => {
    expect(exchangeReason(new Error(binanceBody(-2013, 'Order does not exist.')), 'binance')).toEqual({
      text: 'Order does not exist.',
      code: '-2013',
    });
    expect(exchangeReason(new Error(upbitBody('order_not_found', 'nope')), 'upbit')).toEqual({ text: 'nope', code: 'order_not_found' });
    expect(exchangeReason(new Error('binance GET http://h/api?signature=abc fetch failed'), 'binance')).toBeUndefined();
    expect(exchangeReason(new Error('upbit Too many API requests.'), 'upbit')).toEqual({ text: 'Too many API requests.' });
  });
});
