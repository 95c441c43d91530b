/**
 * Label values are bounded sets: whatever a request, an exchange or a caller sends, a label can
 * only take one of a few values fixed here, so no input can create series without end.
 */
const EXCHANGES = new Set(['binance', 'upbit']);
const ENDPOINTS = new Set([
  'markets',
  'ticker',
  'tickers',
  'orderBook',
  'balances',
  'tradingFee',
  'createOrder',
  'createOrderList',
  'cancelOrder',
  'fetchOrder',
  'openOrders',
  'myTrades',
  'closedOrders',
  'keyPermissions',
]);
const LANES = new Set(['protective', 'order', 'market-data']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const SIDES = new Set(['buy', 'sell']);
const ORDER_TYPES = new Set(['market', 'limit']);
const PURPOSES = new Set(['manual', 'conditional', 'protective', 'liquidation']);
export const CONDITION_KINDS = ['stop_loss', 'trailing_stop', 'take_profit', 'bracket', 'conditional'] as const;
const KINDS = new Set<string>(CONDITION_KINDS);
const CHANNELS = new Set(['web', 'email', 'webhook']);
const CACHE_KEY = /^([a-z][a-z-]{0,30}:[a-z][a-z-]{0,30}):/;
const ERROR_CODE = /^EXCHANGE\.([A-Z_]{1,40})$/;
const ERROR_CLASSES = new Set([
  'unavailable',
  'rate_limited',
  'invalid_order',
  'insufficient_funds',
  'authentication_failed',
  'order_not_found',
  'outcome_unknown',
]);

export const OTHER = 'other';
/** The route of a request no route matched (a 404 of an unknown path): one series for all of them. */
export const UNMATCHED_ROUTE = 'unmatched';

function oneOf(set: ReadonlySet<string>, value: string | undefined): string {
  return value !== undefined && set.has(value) ? value : OTHER;
}

export const label = {
  exchange: (value: string | undefined) => oneOf(EXCHANGES, value),
  endpoint: (value: string | undefined) => oneOf(ENDPOINTS, value),
  lane: (value: string | undefined) => oneOf(LANES, value),
  method: (value: string | undefined) => oneOf(METHODS, value?.toUpperCase()),
  side: (value: string | undefined) => oneOf(SIDES, value),
  orderType: (value: string | undefined) => oneOf(ORDER_TYPES, value),
  purpose: (value: string | undefined) => oneOf(PURPOSES, value),
  kind: (value: string | undefined) => oneOf(KINDS, value),
  channel: (value: string | undefined) => oneOf(CHANNELS, value),
  /** An HTTP status as its code (`200`, `404`): a three-digit number, else `other`. */
  status: (value: number) => (Number.isInteger(value) && value >= 100 && value <= 599 ? String(value) : OTHER),
  /** The context and kind a cache key starts with (`exchanges:ticker`), never the rest (venue, account, symbol). */
  cache: (key: string) => CACHE_KEY.exec(key)?.[1] ?? OTHER,
  /** `EXCHANGE.RATE_LIMITED` → `rate_limited`. */
  errorClass: (code: string | undefined) => {
    const name = code === undefined ? undefined : ERROR_CODE.exec(code)?.[1]?.toLowerCase();
    return oneOf(ERROR_CLASSES, name);
  },
};
