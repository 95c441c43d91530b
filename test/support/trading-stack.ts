import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExchangeSim, SEEDED_SIM_ACCOUNTS, startExchangeSim } from '@tradedesk/exchange-sim';
import { bootTestApp, type TestApp, type TestDriver } from '@tradedesk/testing';
import request from 'supertest';

export interface TradingStack {
  app: TestApp;
  sim: RunningExchangeSim;
  binanceAccountId: string;
  upbitAccountId: string;
  /** `POST /_sim/<path>` on the emulator's control API. */
  control<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  setPrice(exchange: 'binance' | 'upbit', symbol: string, price: string): Promise<void>;
  api(): request.Agent;
  close(): Promise<void>;
}

/**
 * The whole thing as a user runs it in sim mode: an emulator with a manual feed and a zero-spread,
 * deep book (fills at the set price, so expectations can be computed by hand), and tradedesk
 * pointed at it with SIM_URL, which creates the seeded sim accounts.
 */
export async function startTradingStack(driver: TestDriver, env: Record<string, string> = {}): Promise<TradingStack> {
  const simDir = mkdtempSync(join(tmpdir(), 'td-e2e-sim-'));
  const sim = await startExchangeSim({
    port: 0,
    dataDir: simDir,
    feed: 'manual',
    tickMs: 0,
    accounts: SEEDED_SIM_ACCOUNTS,
    book: { binance: { spreadBps: 0, levelQuoteDepth: '100000000' }, upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' } },
  });
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const setPrice = async (exchange: 'binance' | 'upbit', symbol: string, price: string) => {
    await control('POST', '/price', { exchange, symbol, price });
  };
  await setPrice('binance', 'BTC/USDT', '50000');
  await setPrice('upbit', 'BTC/KRW', '70000000');
  await setPrice('upbit', 'USDT/KRW', '1400');
  const app = await bootTestApp({ database: driver, env: { SIM: 'on', SIM_URL: sim.url, ORDER_POLL_MS: '200', ...env } });
  const accounts = await request(app.url).get('/api/accounts').set('Authorization', app.auth).expect(200);
  const list = (Array.isArray(accounts.body) ? accounts.body : accounts.body.items) as Array<{
    id: string;
    exchange: string;
    mode: string;
  }>;
  const binance = list.find((a) => a.exchange === 'binance' && a.mode === 'sim');
  const upbit = list.find((a) => a.exchange === 'upbit' && a.mode === 'sim');
  if (!binance || !upbit) throw new Error(`sim accounts missing: ${JSON.stringify(accounts.body)}`);
  return {
    app,
    sim,
    binanceAccountId: binance.id,
    upbitAccountId: upbit.id,
    control,
    setPrice,
    api: () => request.agent(app.url).set('Authorization', app.auth),
    close: async () => {
      await app.close();
      await sim.close();
      rmSync(simDir, { recursive: true, force: true });
    },
  };
}
