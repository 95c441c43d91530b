import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ccxtUrlsFor, startExchangeSim } from '../index.js';
import type { ExchangeSimAccount, ExchangeSimOptions, RunningExchangeSim } from '../index.js';

export const BINANCE_TEST_ACCOUNT: ExchangeSimAccount = {
  exchange: 'binance',
  apiKey: 'test-binance-key',
  secret: 'test-binance-secret',
  balances: { USDT: '10000', BTC: '0.1' },
};

export const UPBIT_TEST_ACCOUNT: ExchangeSimAccount = {
  exchange: 'upbit',
  apiKey: 'test-upbit-access',
  secret: 'test-upbit-secret',
  balances: { KRW: '10000000', BTC: '0.1' },
};

export interface SimFixture {
  sim: RunningExchangeSim;
  dataDir: string;
  /** Calls the control API; throws on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  binance(account?: ExchangeSimAccount): Exchange;
  upbit(account?: ExchangeSimAccount): Exchange;
  close(keepData?: boolean): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'exchange-sim-'));
}

/** A sim on a free port with a manual feed (prices move only when a test says so) and the test accounts. */
export async function startFixture(options: Partial<ExchangeSimOptions> = {}): Promise<SimFixture> {
  const dataDir = options.dataDir ?? tempDataDir();
  const sim = await startExchangeSim({
    port: 0,
    feed: 'manual',
    tickMs: 0,
    accounts: [BINANCE_TEST_ACCOUNT, UPBIT_TEST_ACCOUNT],
    // Upbit's 8 orders/s would throttle the suites; rate-limit tests lower the limits themselves.
    rateLimits: { upbit: { orderPerSecond: 1000, defaultPerSecond: 1000, quotationPerSecond: 1000 } },
    ...options,
    dataDir,
  });
  const clients: Exchange[] = [];
  return {
    sim,
    dataDir,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${sim.url}/_sim${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    binance(account = BINANCE_TEST_ACCOUNT): Exchange {
      const ex = new ccxt.binance({
        apiKey: account.apiKey,
        secret: account.secret,
        enableRateLimit: false,
        options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] } },
      });
      ex.urls['api'] = ccxtUrlsFor('binance', sim.url);
      clients.push(ex);
      return ex;
    },
    upbit(account = UPBIT_TEST_ACCOUNT): Exchange {
      const ex = new ccxt.upbit({ apiKey: account.apiKey, secret: account.secret, enableRateLimit: false });
      ex.urls['api'] = ccxtUrlsFor('upbit', sim.url);
      clients.push(ex);
      return ex;
    },
    async close(keepData = false): Promise<void> {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
