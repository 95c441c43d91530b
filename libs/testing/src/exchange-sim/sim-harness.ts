import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ExchangeSimAccount,
  type ExchangeSimOptions,
  type RunningExchangeSim,
  SEEDED_SIM_ACCOUNTS,
  startExchangeSim,
} from '@tradedesk/exchange-sim';

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

export interface SimHarness {
  sim: RunningExchangeSim;
  url: string;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  setPrice(exchange: 'binance' | 'upbit', symbol: string, price: string): Promise<void>;
  close(): Promise<void>;
}

/** An emulator on a free port with a manual feed (prices move only through `setPrice`) and the two test accounts. */
export async function startSimHarness(options: Partial<ExchangeSimOptions> = {}): Promise<SimHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'td-sim-'));
  const sim = await startExchangeSim({
    port: 0,
    feed: 'manual',
    tickMs: 0,
    accounts: [BINANCE_ACCOUNT, UPBIT_ACCOUNT],
    ...options,
    dataDir,
  });
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    sim,
    url: sim.url,
    control,
    setPrice: async (exchange, symbol, price) => {
      await control('POST', '/price', { exchange, symbol, price });
    },
    close: async () => {
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Balances large enough that crash and load tests never run out. */
export const DEEP_POCKETS = { binance: { USDT: '10000000', BTC: '100' }, upbit: { KRW: '100000000000', BTC: '100' } };

/** A small deterministic generator (LCG) so a failing crash round can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
