import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim';
import { bootTestApp, type SimHarness, startSimHarness, type TestApp, type TestDriver, ZERO_SPREAD_BOOK } from '@tradedesk/testing';
import request from 'supertest';

export interface TradingStack extends Pick<SimHarness, 'sim' | 'control' | 'setPrice'> {
  app: TestApp;
  binanceAccountId: string;
  upbitAccountId: string;
  api(): request.Agent;
  close(): Promise<void>;
}

/**
 * The whole thing as a user runs it in sim mode: an emulator with a manual feed and a zero-spread,
 * deep book (fills at the set price, so expectations can be computed by hand), and tradedesk
 * pointed at it with SIM_URL, which creates the seeded sim accounts.
 */
export async function startTradingStack(driver: TestDriver, env: Record<string, string> = {}): Promise<TradingStack> {
  const harness = await startSimHarness({ accounts: SEEDED_SIM_ACCOUNTS, book: ZERO_SPREAD_BOOK });
  await harness.setPrice('binance', 'BTC/USDT', '50000');
  await harness.setPrice('upbit', 'BTC/KRW', '70000000');
  await harness.setPrice('upbit', 'USDT/KRW', '1400');
  const app = await bootTestApp({ database: driver, env: { SIM: 'on', SIM_URL: harness.url, ORDER_POLL_MS: '200', ...env } });
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
    sim: harness.sim,
    binanceAccountId: binance.id,
    upbitAccountId: upbit.id,
    control: harness.control,
    setPrice: harness.setPrice,
    api: () => request.agent(app.url).set('Authorization', app.auth),
    close: async () => {
      await app.close();
      await harness.close();
    },
  };
}
