// How tradedesk and its tests reach the exchange emulator (apps/exchange-sim) over HTTP: the ccxt URL map, the seeded sim accounts, the account shape its control API takes.
export type SimExchangeId = 'binance' | 'upbit';

/** An account on the emulator, as `POST /_sim/accounts` and the emulator's `accounts` option take it. */
export interface ExchangeSimAccount {
  exchange: SimExchangeId;
  apiKey: string;
  secret: string;
  /** Free balances per asset as decimal strings, e.g. `{ USDT: '10000', BTC: '0.1' }`. */
  balances: Record<string, string>;
  /** Binance only: the key reports withdrawals enabled (`GET /sapi/v1/account/apiRestrictions`). */
  enableWithdrawals?: boolean;
}

/**
 * The accounts tradedesk creates in sim mode. The emulator is local and these keys open nothing
 * else: they are fixed so a restarted tradedesk finds the same accounts in the durable state.
 */
export const SEEDED_SIM_ACCOUNTS: ExchangeSimAccount[] = [
  {
    exchange: 'binance',
    apiKey: 'sim-binance-api-key-not-a-secret',
    secret: 'sim-binance-secret-not-a-secret',
    balances: { USDT: '10000', BTC: '0.1' },
  },
  {
    exchange: 'upbit',
    apiKey: 'sim-upbit-access-key-not-a-secret',
    secret: 'sim-upbit-secret-key-not-a-secret',
    balances: { KRW: '10000000', BTC: '0.1' },
  },
];

const BINANCE_API_HOST = 'https://api.binance.com';

/**
 * ccxt's binance `urls.api` entries on api.binance.com (api/v3, api/v1, sapi v1–v4), as in
 * ccxt 4.5.84; futures, options and portfolio hosts are not emulated.
 */
const BINANCE_API_URLS: Record<string, string> = {
  sapi: `${BINANCE_API_HOST}/sapi/v1`,
  sapiV2: `${BINANCE_API_HOST}/sapi/v2`,
  sapiV3: `${BINANCE_API_HOST}/sapi/v3`,
  sapiV4: `${BINANCE_API_HOST}/sapi/v4`,
  public: `${BINANCE_API_HOST}/api/v3`,
  private: `${BINANCE_API_HOST}/api/v3`,
  v1: `${BINANCE_API_HOST}/api/v1`,
};

/** The object to assign to a ccxt instance's `urls.api` so it talks to the emulator at `simUrl`. */
export function ccxtUrlsFor(exchange: SimExchangeId, simUrl: string): Record<string, string> {
  const base = withoutTrailingSlashes(simUrl);
  if (exchange === 'upbit') return { public: `${base}/upbit`, private: `${base}/upbit` };
  const urls: Record<string, string> = {};
  for (const [name, url] of Object.entries(BINANCE_API_URLS)) urls[name] = `${base}/binance${url.slice(BINANCE_API_HOST.length)}`;
  return urls;
}

/** `url` without the slashes it ends with (a loop: a regex for this backtracks on long runs of slashes). */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}
