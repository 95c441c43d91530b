import ccxt from 'ccxt';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startExchangeSim } from './index.js';
import { SEEDED_SIM_ACCOUNTS, ccxtUrlsFor } from '@tradedesk/exchange-sim-client';
import { RELAXED_RATE_LIMITS, startSimHarness, tempDataDir } from '../../../test/support/sim-harness.js';

describe('exchange-sim public surface', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('seeds the sim accounts tradedesk uses', async () => {
    const dataDir = tempDataDir();
    const sim = await startExchangeSim({ port: 0, dataDir, feed: 'manual', tickMs: 0, accounts: SEEDED_SIM_ACCOUNTS });
    cleanups.push(
      () => rmSync(dataDir, { recursive: true, force: true }),
      () => sim.close(),
    );
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    const [binanceAccount, upbitAccount] = SEEDED_SIM_ACCOUNTS;
    const binance = new ccxt.binance({
      apiKey: binanceAccount.apiKey,
      secret: binanceAccount.secret,
      options: { fetchMarkets: { types: ['spot'] } },
    });
    binance.urls['api'] = ccxtUrlsFor('binance', sim.url);
    const upbit = new ccxt.upbit({ apiKey: upbitAccount.apiKey, secret: upbitAccount.secret });
    upbit.urls['api'] = ccxtUrlsFor('upbit', sim.url);
    cleanups.push(
      () => binance.close(),
      () => upbit.close(),
    );
    const [b, u] = await Promise.all([binance.fetchBalance(), upbit.fetchBalance()]);
    expect(b['USDT']?.free).toBe(10000);
    expect(String(b['BTC']?.free)).toBe('0.1');
    expect(u['KRW']?.free).toBe(10000000);
    expect(String(u['BTC']?.free)).toBe('0.1');
  });

  it('keeps acknowledged orders, balances and history across a restart on the same data dir; reset returns to the seed', async () => {
    const fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    cleanups.push(() => fx.close());
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '60000' });
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '90000000' });
    const binanceOrder = await fx.binance().createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000, { clientOrderId: 'durable-1' });
    const upbitOrder = await fx.upbit().createOrder('BTC/KRW', 'limit', 'sell', 0.01, 95000000, { clientOrderId: 'durable-up-1' });
    await fx.binance().createOrder('BTC/USDT', 'market', 'sell', 0.01);
    await fx.restart({ accounts: [] });
    const binance = fx.binance();
    const upbit = fx.upbit();
    const again = await binance.fetchOrder('', 'BTC/USDT', { clientOrderId: 'durable-1' });
    expect(again).toMatchObject({ id: binanceOrder.id, status: 'open', amount: 0.01, price: 59000 });
    expect((await upbit.fetchOrder(upbitOrder.id!)).status).toBe('open');
    const balance = await binance.fetchBalance();
    expect(balance['USDT']?.used).toBe(590);
    expect(String(balance['BTC']?.free)).toBe('0.09');
    expect(await binance.fetchMyTrades('BTC/USDT')).toHaveLength(1);
    // Prices survive too, and the resting order still fills when they cross.
    expect((await fx.control<{ price: string }>('GET', '/price?exchange=binance&symbol=BTC/USDT')).price).toBe('60000');
    await fx.control('POST', '/price', { exchange: 'binance', symbol: 'BTC/USDT', price: '58000' });
    expect((await binance.fetchOrder(binanceOrder.id!, 'BTC/USDT')).status).toBe('closed');

    await fx.control('POST', '/reset');
    const seeded = await binance.fetchBalance();
    expect(seeded['USDT']).toMatchObject({ free: 10000, used: 0 });
    await expect(binance.fetchOrder(binanceOrder.id!, 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    const next = await binance.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    expect(Number(next.id)).toBeGreaterThan(Number(binanceOrder.id));
  });

  it('refuses a second emulator on the same state file', async () => {
    const dataDir = tempDataDir();
    const first = await startExchangeSim({ port: 0, dataDir, feed: 'manual', tickMs: 0 });
    cleanups.push(
      () => rmSync(dataDir, { recursive: true, force: true }),
      () => first.close(),
    );
    await expect(startExchangeSim({ port: 0, dataDir, feed: 'manual', tickMs: 0 })).rejects.toThrow(/locked/);
  });

  it('walks prices deterministically for a seed, keeping Upbit ≈ Binance × USDT/KRW × (1 + premium)', async () => {
    const run = async (seed: number): Promise<Record<string, Record<string, string>>> => {
      const dataDir = tempDataDir();
      const sim = await startExchangeSim({ port: 0, dataDir, seed, feed: 'random', tickMs: 0 });
      try {
        const post = await fetch(`${sim.url}/_sim/tick`, { method: 'POST', body: JSON.stringify({ count: 50 }) });
        expect(post.status).toBe(200);
        return (await (await fetch(`${sim.url}/_sim/prices`)).json()) as Record<string, Record<string, string>>;
      } finally {
        await sim.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(a).toEqual(b);
    expect(a.binance['BTC/USDT']).not.toBe(c.binance['BTC/USDT']);
    expect(a.binance['BTC/USDT']).not.toBe('60000');
    const implied = Number(a.binance['BTC/USDT']) * Number(a.upbit['USDT/KRW']) * 1.01;
    expect(Math.abs(Number(a.upbit['BTC/KRW']) / implied - 1)).toBeLessThan(0.001);
  });
});
