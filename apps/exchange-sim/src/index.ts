// Owns the Binance- and Upbit-compatible exchange emulator: start it in process, point ccxt at it.
import { BinanceApi } from './binance/routes.js';
import { ControlApi } from './control/control-api.js';
import type { ExchangeId } from './core/markets.js';
import type { ExchangeSimAccount, ExchangeSimOptions } from './core/options.js';
import { ExchangeSimulator } from './core/sim.js';
import { SimHttpServer } from './http/server.js';
import { UpbitApi } from './upbit/routes.js';

export type { ExchangeSimAccount, ExchangeSimOptions } from './core/options.js';
export type { BookOptions } from './core/options.js';
export type { RateLimitOptions } from './core/rate-limits.js';
export type { FaultSpec } from './core/faults.js';
export type { ExchangeId } from './core/markets.js';
export { ExchangeSimulator } from './core/sim.js';

export interface RunningExchangeSim {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  simulator: ExchangeSimulator;
  close(): Promise<void>;
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

/** Starts the emulator's HTTP server (loopback by default) on its own durable state under `dataDir`. */
export async function startExchangeSim(options: ExchangeSimOptions): Promise<RunningExchangeSim> {
  const simulator = new ExchangeSimulator(options);
  const control = new ControlApi(simulator);
  const server = new SimHttpServer(simulator, { binance: new BinanceApi(simulator), upbit: new UpbitApi(simulator) }, control.handle);
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (error) {
    simulator.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  simulator.log(`exchange-sim listening on ${url} (state in ${options.dataDir})`);
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    simulator,
    close: () => {
      closed ??= server.close().then(() => simulator.close());
      return closed;
    },
  };
}

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
export function ccxtUrlsFor(exchange: ExchangeId, simUrl: string): Record<string, string> {
  const base = simUrl.replace(/\/+$/, '');
  if (exchange === 'upbit') return { public: `${base}/upbit`, private: `${base}/upbit` };
  const urls: Record<string, string> = {};
  for (const [name, url] of Object.entries(BINANCE_API_URLS)) urls[name] = `${base}/binance${url.slice(BINANCE_API_HOST.length)}`;
  return urls;
}
