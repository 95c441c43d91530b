import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeSimAccount, type ExchangeSimOptions, type RunningExchangeSim, startExchangeSim } from '@tradedesk/exchange-sim';

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

export interface SimHarness {
  sim: RunningExchangeSim;
  url: string;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  setPrice(exchange: 'binance' | 'upbit', symbol: string, price: string): Promise<void>;
  close(): Promise<void>;
}

/** An emulator on a free port with a manual feed and the two test accounts, for integration specs. */
export async function startSimHarness(options: Partial<ExchangeSimOptions> = {}): Promise<SimHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'td-exchanges-sim-'));
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
