import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { STATE_FILE } from '../core/store.js';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness, tempDataDir } from '../../../../test/support/sim-harness.js';

interface Feed {
  mode: string;
  tick: number;
  seed: number;
  replay?: { position: number; points: number };
}

describe('control API (/_sim)', () => {
  let fx: SimHarness;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/feed', { mode: 'manual' });
    await fx.control('POST', '/reset');
  });

  it('sets and reads prices by ccxt symbol or market id', async () => {
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'KRW-ETH', price: '4000000' });
    expect(await fx.control('GET', '/price?exchange=upbit&symbol=ETH/KRW')).toEqual({
      exchange: 'upbit',
      symbol: 'ETH/KRW',
      price: '4000000',
    });
    await expect(fx.control('POST', '/price', { exchange: 'upbit', symbol: 'NOPE/KRW', price: '1' })).rejects.toThrow(/404/);
    await expect(fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '-1' })).rejects.toThrow(/400/);
    await expect(fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '0' })).rejects.toThrow(/positive/);
    const prices = await fx.control<Record<string, Record<string, string>>>('GET', '/prices?exchange=upbit');
    expect(prices.upbit['ETH/KRW']).toBe('4000000');
    expect(prices.binance).toBeUndefined();
    expect(await fx.control('GET', '/health')).toEqual({ ok: true });
  });

  it('switches feeds: random walks on tick, replay follows the candles, manual holds', async () => {
    const random = await fx.control<Feed>('POST', '/feed', { mode: 'random', seed: 7, tickMs: 0, volatilityBps: 20, premium: '0.02' });
    expect(random).toMatchObject({ mode: 'random', seed: 7, tick: 0 });
    const before = await fx.control<{ price: string }>('GET', '/price?exchange=binance&symbol=BTC/USDT');
    const ticked = await fx.control<Feed>('POST', '/tick', { count: 5 });
    expect(ticked.tick).toBe(5);
    const after = await fx.control<{ price: string }>('GET', '/price?exchange=binance&symbol=BTC/USDT');
    expect(after.price).not.toBe(before.price);
    // Setting a price in random mode moves the driver, so Upbit follows Binance.
    const upbitBefore = await fx.control<{ price: string }>('GET', '/price?exchange=upbit&symbol=BTC/KRW');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: String(Number(after.price) * 2) });
    const upbitAfter = await fx.control<{ price: string }>('GET', '/price?exchange=upbit&symbol=BTC/KRW');
    expect(Number(upbitAfter.price) / Number(upbitBefore.price)).toBeGreaterThan(1.9);

    const csv = 'time,open,high,low,close\n1700000000000,100,110,90,105\n1700000060000,105,106,95,96\n';
    const replay = await fx.control<Feed & { points: number }>('POST', '/feed', {
      mode: 'replay',
      exchange: 'binance',
      symbol: 'SOL/USDT',
      csv,
      // Slow enough that the replay's own timer never fires during the test; /tick advances it.
      speed: 0.01,
    });
    expect(replay).toMatchObject({ mode: 'replay', points: 8 });
    await fx.control('POST', '/tick', { count: 3 });
    expect(await fx.control('GET', '/price?exchange=binance&symbol=SOL/USDT')).toMatchObject({ price: '110' });
    await fx.control('POST', '/tick', { count: 5 });
    expect(await fx.control('GET', '/price?exchange=binance&symbol=SOL/USDT')).toMatchObject({ price: '96' });
    await fx.control('POST', '/tick', { count: 1 });
    expect((await fx.control<Feed>('GET', '/feed')).mode).toBe('manual');
    await expect(fx.control('POST', '/feed', { mode: 'replay', exchange: 'binance', symbol: 'SOL/USDT', csv: 'x,y' })).rejects.toThrow(
      /400/,
    );
    await expect(fx.control('POST', '/feed', { mode: 'sideways' })).rejects.toThrow(/mode/);
    await expect(fx.control('POST', '/tick', { count: 0 })).rejects.toThrow(/count/);
  });

  it('creates and funds accounts, fills orders by hand and lists every order received', async () => {
    const created = await fx.control<{ created: boolean; account: { balances: Record<string, { free: string }> } }>('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'ctl-key',
      secret: 'ctl-secret',
      balances: { usdt: '500' },
    });
    expect(created.created).toBe(true);
    expect(created.account.balances.USDT).toEqual({ free: '500', locked: '0' });
    const funded = await fx.control<{ created: boolean }>('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'ctl-key',
      secret: 'ctl-secret',
      balances: { BTC: '1' },
    });
    expect(funded.created).toBe(false);
    const untouched = await fx.control<{ created: boolean; account: { balances: Record<string, { free: string }> } }>('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'ctl-key',
      secret: 'ctl-secret',
      balances: { BTC: '5' },
      ifMissing: true,
    });
    expect(untouched.created).toBe(false);
    expect(untouched.account.balances.BTC).toEqual({ free: '1', locked: '0' });
    const { accounts } = await fx.control<{ accounts: Array<{ apiKey: string; balances: Record<string, unknown> }> }>(
      'GET',
      '/accounts?exchange=binance',
    );
    expect(accounts.find((a) => a.apiKey === 'ctl-key')?.balances).toMatchObject({ BTC: { free: '1' }, USDT: { free: '500' } });
    await expect(fx.control('POST', '/accounts', { exchange: 'binance', apiKey: 'x' })).rejects.toThrow(/secret/);

    const ex = fx.binance({ exchange: 'binance', apiKey: 'ctl-key', secret: 'ctl-secret', balances: {} });
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '60000' });
    const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 70000, { clientOrderId: 'hand-fill' });
    const partly = await fx.control<{ filled: string; status: string }>('POST', '/fill', {
      exchange: 'binance',
      clientOrderId: 'hand-fill',
      amount: '0.2',
    });
    expect(partly).toMatchObject({ filled: '0.2', status: 'PARTIALLY_FILLED' });
    const rest = await fx.control<{ status: string }>('POST', '/fill', { exchange: 'binance', orderId: order.id });
    expect(rest.status).toBe('FILLED');
    await expect(fx.control('POST', '/fill', { exchange: 'binance', orderId: order.id })).rejects.toThrow(/409/);
    await expect(fx.control('POST', '/fill', { exchange: 'binance', orderId: '424242' })).rejects.toThrow(/404/);
    const balance = await ex.fetchBalance();
    expect(balance['USDT']?.free).toBe(500 + 35000 - 35);

    const { orders } = await fx.control<{ orders: Array<{ clientOrderId: string; filled: string }> }>(
      'GET',
      '/orders?clientOrderId=hand-fill',
    );
    expect(orders).toEqual([expect.objectContaining({ clientOrderId: 'hand-fill', filled: '0.5' })]);
    const requests = await fx.control<{ requests: Record<string, number> }>('GET', '/requests?exchange=binance');
    expect(requests.requests['POST /api/v3/order']).toBeGreaterThanOrEqual(1);
    expect(await fx.control('DELETE', '/requests')).toEqual({ requests: {} });
  });

  it('reads and changes the configuration', async () => {
    const config = await fx.control<{ book: { upbit: { bookLevels: number } }; rateLimits: { enabled: boolean } }>('GET', '/config');
    expect(config.book.upbit.bookLevels).toBe(15);
    expect(config.rateLimits.enabled).toBe(true);
    const changed = await fx.control<{ book: { upbit: { spreadBps: string } } }>('POST', '/config', { book: { upbit: { spreadBps: 10 } } });
    expect(changed.book.upbit.spreadBps).toBe('10');
    await expect(fx.control('POST', '/config', { book: { upbit: { bookLevels: 0 } } })).rejects.toThrow(/bookLevels/);
    await fx.control('POST', '/config', { book: { upbit: { spreadBps: 2 } } });
    const bad = await fetch(`${fx.sim.url}/_sim/price`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  });

  it('creates a Binance key with withdrawals enabled, which GET /sapi/v1/account/apiRestrictions reports (signed), durably', async () => {
    type Restrictions = { enableWithdrawals: boolean; enableReading: boolean; enableSpotAndMarginTrading: boolean; createTime: number };
    const created = await fx.control<{ account: { enableWithdrawals: boolean } }>('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'withdraw-key',
      secret: 'withdraw-secret',
      balances: { USDT: '100' },
      enableWithdrawals: true,
    });
    expect(created.account.enableWithdrawals).toBe(true);
    const withdrawing = fx.binance({ exchange: 'binance', apiKey: 'withdraw-key', secret: 'withdraw-secret', balances: {} });
    const restrictions = (await withdrawing.sapiGetAccountApiRestrictions()) as Restrictions;
    expect(restrictions).toMatchObject({ enableWithdrawals: true, enableReading: true, enableSpotAndMarginTrading: true });
    expect(restrictions.createTime).toBeGreaterThan(0);
    // A key created without the field cannot withdraw.
    expect(((await fx.binance().sapiGetAccountApiRestrictions()) as Restrictions).enableWithdrawals).toBe(false);

    // Funding again without the field keeps the permission; giving it changes it.
    await fx.control('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'withdraw-key',
      secret: 'withdraw-secret',
      balances: { USDT: '5' },
    });
    expect(((await withdrawing.sapiGetAccountApiRestrictions()) as Restrictions).enableWithdrawals).toBe(true);
    await fx.control('POST', '/accounts', { exchange: 'binance', apiKey: 'trade-key', secret: 'trade-secret', enableWithdrawals: true });
    await fx.control('POST', '/accounts', { exchange: 'binance', apiKey: 'trade-key', secret: 'trade-secret', enableWithdrawals: false });
    const tradeOnly = fx.binance({ exchange: 'binance', apiKey: 'trade-key', secret: 'trade-secret', balances: {} });
    expect(((await tradeOnly.sapiGetAccountApiRestrictions()) as Restrictions).enableWithdrawals).toBe(false);

    // Signed like every account route: a wrong secret is refused.
    const forged = fx.binance({ exchange: 'binance', apiKey: 'withdraw-key', secret: 'not-the-secret', balances: {} });
    await expect(forged.sapiGetAccountApiRestrictions()).rejects.toThrow(/Signature for this request is not valid/);
    const unsigned = await fetch(`${fx.sim.url}/binance/sapi/v1/account/apiRestrictions`, { headers: { 'X-MBX-APIKEY': 'withdraw-key' } });
    expect(unsigned.status).toBe(400);

    // Only Binance reports key permissions.
    await expect(fx.control('POST', '/accounts', { exchange: 'upbit', apiKey: 'u', secret: 's', enableWithdrawals: true })).rejects.toThrow(
      /only Binance reports the permissions of a key/,
    );
    await expect(
      fx.control('POST', '/accounts', { exchange: 'binance', apiKey: 'b', secret: 's', enableWithdrawals: 'yes' }),
    ).rejects.toThrow(/enableWithdrawals must be true or false/);
  });
});

describe('control API (/_sim): key permissions across a restart', () => {
  it('keeps enableWithdrawals in the state file', async () => {
    const fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    await fx.control('POST', '/accounts', {
      exchange: 'binance',
      apiKey: 'durable-key',
      secret: 'durable-secret',
      enableWithdrawals: true,
    });
    await fx.restart();
    try {
      const { accounts } = await fx.control<{ accounts: Array<{ apiKey: string; enableWithdrawals?: boolean }> }>(
        'GET',
        '/accounts?exchange=binance',
      );
      expect(accounts.find((a) => a.apiKey === 'durable-key')?.enableWithdrawals).toBe(true);
      const ex = fx.binance({ exchange: 'binance', apiKey: 'durable-key', secret: 'durable-secret', balances: {} });
      expect(((await ex.sapiGetAccountApiRestrictions()) as { enableWithdrawals: boolean }).enableWithdrawals).toBe(true);
    } finally {
      await fx.close();
    }
  });

  it('opens a state file written before keys had permissions; its keys cannot withdraw', async () => {
    const dataDir = tempDataDir();
    const old = new Database(join(dataDir, STATE_FILE));
    old.exec(`CREATE TABLE accounts (
      exchange TEXT NOT NULL, api_key TEXT NOT NULL, secret TEXT NOT NULL, seed_balances TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (exchange, api_key));
      INSERT INTO accounts VALUES ('binance', 'old-key', 'old-secret', '{}', 1);`);
    old.close();
    const fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS, dataDir, accounts: [] });
    try {
      const ex = fx.binance({ exchange: 'binance', apiKey: 'old-key', secret: 'old-secret', balances: {} });
      expect(((await ex.sapiGetAccountApiRestrictions()) as { enableWithdrawals: boolean }).enableWithdrawals).toBe(false);
    } finally {
      await fx.close();
    }
  });
});
