// The one exchange emulator harness of the tests: the emulator (apps/exchange-sim) in process on a
// free port with a manual feed, ccxt clients pointed at it, and a restart on the same state and port.
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeSimOptions, type RunningExchangeSim, startExchangeSim } from '@tradedesk/exchange-sim';
import { ccxtUrlsFor, type ExchangeSimAccount, SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';

export const BINANCE_ACCOUNT: ExchangeSimAccount = {
  exchange: 'binance',
  apiKey: 'td-test-binance-key',
  secret: 'td-test-binance-secret',
  balances: { USDT: '10000', BTC: '0.1' },
};
export const UPBIT_ACCOUNT: ExchangeSimAccount = {
  exchange: 'upbit',
  apiKey: 'td-test-upbit-access',
  secret: 'td-test-upbit-secret',
  balances: { KRW: '10000000', BTC: '0.1' },
};

/** The seeded sim accounts (what tradedesk's sim mode creates) with other balances. */
export function seededSimAccounts(balances: { binance: Record<string, string>; upbit: Record<string, string> }): ExchangeSimAccount[] {
  return SEEDED_SIM_ACCOUNTS.map((a) => ({ ...a, balances: balances[a.exchange] }));
}

/** Best bid = best ask = the set price and deep levels: market orders fill at the price, so expectations can be computed by hand. */
export const ZERO_SPREAD_BOOK: ExchangeSimOptions['book'] = {
  binance: { spreadBps: 0, levelQuoteDepth: '100000000' },
  upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' },
};

/** Upbit's real 8 orders/s would throttle the emulator's own suites; rate-limit tests set theirs. */
export const RELAXED_RATE_LIMITS: ExchangeSimOptions['rateLimits'] = {
  upbit: { orderPerSecond: 1000, defaultPerSecond: 1000, quotationPerSecond: 1000 },
};

/** Balances large enough that crash and load tests never run out. */
export const DEEP_POCKETS = { binance: { USDT: '10000000', BTC: '100' }, upbit: { KRW: '100000000000', BTC: '100' } };

/** A small deterministic generator (LCG) so a failing crash round can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * One control call on a connection of its own: a pooled keep-alive connection (fetch's) may still
 * point at the emulator that `restart` closed, on the same port, and fail the first call after it.
 */
function controlRequest(url: string, method: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, agent: false, headers: payload === undefined ? {} : { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'td-sim-'));
}

export interface SimHarness {
  /** The running emulator (another object after a restart). */
  readonly sim: RunningExchangeSim;
  /** `http://127.0.0.1:PORT`: the same across restarts. */
  readonly url: string;
  readonly dataDir: string;
  /** Calls the control API (`/_sim…`); throws on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  setPrice(exchange: 'binance' | 'upbit', symbol: string, price: string): Promise<void>;
  /** A ccxt client on the emulator, closed with the harness. */
  binance(account?: ExchangeSimAccount): Exchange;
  upbit(account?: ExchangeSimAccount): Exchange;
  /** Stops the emulator and starts it again on the same data dir and port; `options` change what it starts with. */
  restart(options?: Partial<ExchangeSimOptions>): Promise<void>;
  /** Stops it; removes the data dir unless `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

/** An emulator on a free port (or `options.port`) with a manual feed (prices move only through `setPrice`) and the two test accounts. */
export async function startSimHarness(options: Partial<ExchangeSimOptions> = {}): Promise<SimHarness> {
  const dataDir = options.dataDir ?? tempDataDir();
  let current: ExchangeSimOptions = {
    port: 0,
    feed: 'manual',
    tickMs: 0,
    accounts: [BINANCE_ACCOUNT, UPBIT_ACCOUNT],
    ...options,
    dataDir,
  };
  let sim = await startExchangeSim(current);
  current = { ...current, port: sim.port };
  const url = sim.url;
  const clients: Exchange[] = [];
  const client = (exchange: Exchange): Exchange => {
    clients.push(exchange);
    return exchange;
  };
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await controlRequest(`${url}/_sim${path}`, method, body);
    const json = JSON.parse(res.text) as T;
    if (res.status < 200 || res.status > 299) throw new Error(`control ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    get sim() {
      return sim;
    },
    url,
    dataDir,
    control,
    setPrice: async (exchange, symbol, price) => {
      await control('POST', '/price', { exchange, symbol, price });
    },
    binance: (account = BINANCE_ACCOUNT) => {
      const ex = new ccxt.binance({
        apiKey: account.apiKey,
        secret: account.secret,
        enableRateLimit: false,
        options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] } },
      });
      ex.urls['api'] = ccxtUrlsFor('binance', url);
      return client(ex);
    },
    upbit: (account = UPBIT_ACCOUNT) => {
      const ex = new ccxt.upbit({ apiKey: account.apiKey, secret: account.secret, enableRateLimit: false });
      ex.urls['api'] = ccxtUrlsFor('upbit', url);
      return client(ex);
    },
    restart: async (changes = {}) => {
      await sim.close();
      current = { ...current, ...changes, dataDir, port: current.port };
      sim = await startExchangeSim(current);
    },
    close: async (keepData = false) => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await sim.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
