import ccxt from 'ccxt';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SEEDED_SIM_ACCOUNTS, ccxtUrlsFor } from '@tradedesk/exchange-sim-client';
import { tempDataDir } from '../../../test/support/sim-harness.js';

const REGISTER = fileURLToPath(new URL('./testing/ts-register.mjs', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** `npm run sim` as a child process, on the given data dir; resolves once it prints its URL. */
function startStandalone(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', REGISTER, MAIN], {
    env: { ...process.env, SIM_PORT: '0', DATA_DIR: dataDir, SIM_FEED: 'manual', SIM_TICK_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready: binance (http:\/\/[\d.:]+)\/binance/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
}

function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe('standalone emulator (npm run sim)', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => killed(c, 'SIGKILL')));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an acknowledged order and its locked funds through a SIGKILL', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await startStandalone(dataDir);
    children.push(first.child);
    const account = SEEDED_SIM_ACCOUNTS[0];
    const client = (url: string): InstanceType<typeof ccxt.binance> => {
      const ex = new ccxt.binance({
        apiKey: account.apiKey,
        secret: account.secret,
        enableRateLimit: false,
        options: { fetchMarkets: { types: ['spot'] } },
      });
      ex.urls['api'] = ccxtUrlsFor('binance', url);
      return ex;
    };
    await fetch(`${first.url}/_sim/price`, {
      method: 'POST',
      body: JSON.stringify({ exchange: 'binance', symbol: 'BTC/USDT', price: '60000' }),
    });
    const before = client(first.url);
    const order = await before.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000, { clientOrderId: 'survives-kill' });
    await before.close();
    await killed(first.child, 'SIGKILL');

    const second = await startStandalone(dataDir);
    children.push(second.child);
    const after = client(second.url);
    const found = await after.fetchOrder('', 'BTC/USDT', { clientOrderId: 'survives-kill' });
    expect(found).toMatchObject({ id: order.id, status: 'open', amount: 0.01, price: 59000 });
    const balance = await after.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 9410, used: 590 });
    await after.close();
    await killed(second.child, 'SIGTERM');
    expect(second.child.exitCode).toBe(0);
  });
});
