// Figures for the exchange emulator: order requests/s on loopback (bare HTTP baseline, raw signed
// requests, through ccxt) and memory with hundreds of synthetic markets.
// Run: npm run build && node dist/bench/exchange-sim.bench.js
import ccxt from 'ccxt';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startExchangeSim } from '@tradedesk/exchange-sim';
import { ccxtUrlsFor } from '@tradedesk/exchange-sim-client';
import { BinanceApi } from '../apps/exchange-sim/src/binance/routes.js';
import { record } from './support/results.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const KEY = 'bench-key';
const SECRET = 'bench-secret';

async function measure(name: string, op: (i: number) => Promise<void>): Promise<{ name: string; perSecond: number; count: number }> {
  for (let i = 0; i < 50; i++) await op(i); // warm-up
  let count = 0;
  let failures = 0;
  const end = Date.now() + DURATION_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let i = worker;
      while (Date.now() < end) {
        try {
          await op(i);
          count += 1;
        } catch (error) {
          failures += 1;
          if (failures < 3) console.error(`${name}:`, error instanceof Error ? error.message : error);
        }
        i += CONCURRENCY;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name: failures ? `${name} (${failures} failed)` : name, perSecond: count / seconds, count };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The emulator as `npm run sim` runs it, in its own process, so client and server do not share a CPU. */
async function startStandalone(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'exchange-sim', 'src', 'main.js');
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, SIM_PORT: '0', DATA_DIR: dataDir, SIM_FEED: 'manual', SIM_TICK_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready: binance (http:\/\/[\d.:]+)\/binance/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`standalone emulator exited with ${code}`)));
  });
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${url}/_sim${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await post('/config', { rateLimits: { enabled: false } });
  await post('/accounts', { exchange: 'binance', apiKey: KEY, secret: SECRET, balances: { USDT: '1000000000', BTC: '100000' } });
  await post('/accounts', { exchange: 'upbit', apiKey: KEY, secret: SECRET, balances: { KRW: '1000000000000', BTC: '100000' } });
  return { url, child };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exchange-sim-bench-'));
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const barePort = (bare.address() as { port: number }).port;

  const standalone = await startStandalone(dataDir);
  const sim = { url: standalone.url };
  const binance = new ccxt.binance({ apiKey: KEY, secret: SECRET, enableRateLimit: false, options: { fetchMarkets: { types: ['spot'] } } });
  binance.urls['api'] = ccxtUrlsFor('binance', sim.url);
  const upbit = new ccxt.upbit({ apiKey: KEY, secret: SECRET, enableRateLimit: false });
  upbit.urls['api'] = ccxtUrlsFor('upbit', sim.url);
  await Promise.all([binance.loadMarkets(), upbit.loadMarkets()]);

  const signedOrder = async (i: number): Promise<void> => {
    const side = i % 2 === 0 ? 'BUY' : 'SELL';
    const query = `symbol=BTCUSDT&side=${side}&type=MARKET&quantity=0.001&newOrderRespType=FULL&timestamp=${Date.now()}`;
    const signature = createHmac('sha256', SECRET).update(query).digest('hex');
    const res = await fetch(`${sim.url}/binance/api/v3/order`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${query}&signature=${signature}`,
    });
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };

  const results = [
    await measure('bare node:http no-op (baseline)', async () => {
      const res = await fetch(`http://127.0.0.1:${barePort}/`);
      await res.arrayBuffer();
    }),
    await measure('emulator GET /binance/api/v3/ping', async () => {
      const res = await fetch(`${sim.url}/binance/api/v3/ping`);
      await res.arrayBuffer();
    }),
    await measure('emulator signed market order, raw fetch (Binance)', signedOrder),
    await measure('ccxt binance createOrder market', async (i) => {
      await binance.createOrder('BTC/USDT', 'market', i % 2 === 0 ? 'buy' : 'sell', 0.001);
    }),
    await measure('ccxt binance createOrder limit (rests)', async () => {
      await binance.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000);
    }),
    await measure('ccxt upbit createOrder limit (rests)', async () => {
      await upbit.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 50000000);
    }),
  ];
  // ccxt measured apart from the network: the same clients answering from a canned exchange reply.
  const ccxtCost = { binance: 0, upbit: 0 };
  for (const [name, client, call] of [
    ['binance', binance, () => binance.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000)],
    ['upbit', upbit, () => upbit.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 50000000)],
  ] as const) {
    let canned: unknown;
    const realFetch = client.fetch.bind(client);
    client.fetch = async (...args: Parameters<typeof client.fetch>) => (canned ??= await realFetch(...args));
    await call();
    const rounds = 2000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await call();
    ccxtCost[name] = Number(process.hrtime.bigint() - started) / 1e3 / rounds;
    client.fetch = realFetch;
  }
  await Promise.all([binance.close(), upbit.close()]);
  standalone.child.kill('SIGTERM');
  await new Promise((resolve) => standalone.child.once('exit', resolve));
  bare.close();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(
    `\nexchange-sim order throughput (standalone emulator process, loopback, ${CONCURRENCY} concurrent clients, ${DURATION_MS} ms each)`,
  );
  for (const r of results) console.log(`  ${r.name.padEnd(52)} ${r.perSecond.toFixed(0).padStart(7)} req/s  (${r.count})`);
  const [bareHttp, ...rest] = results;
  for (const r of rest)
    record({
      bench: 'exchange-sim',
      name: r.name,
      value: r.perSecond,
      unit: '/s',
      baseline: { name: 'bare node:http', value: bareHttp.perSecond },
    });
  console.log(
    `  ccxt's own cost per createOrder (signing + parsing, canned reply, no network): binance ${ccxtCost.binance.toFixed(0)} µs, upbit ${ccxtCost.upbit.toFixed(0)} µs`,
  );

  // The emulator's own cost per order, without HTTP or a client: its Binance handler called directly.
  {
    const dir = mkdtempSync(join(tmpdir(), 'exchange-sim-bench-'));
    const inProcess = await startExchangeSim({
      port: 0,
      dataDir: dir,
      feed: 'manual',
      tickMs: 0,
      rateLimits: { enabled: false },
      accounts: [{ exchange: 'binance', apiKey: KEY, secret: SECRET, balances: { USDT: '1000000000', BTC: '100000' } }],
    });
    const api = new BinanceApi(inProcess.simulator);
    const request = (i: number, type: 'MARKET' | 'LIMIT'): Parameters<BinanceApi['handle']>[0] => {
      const order = type === 'MARKET' ? `side=${i % 2 ? 'SELL' : 'BUY'}&type=MARKET` : 'side=BUY&type=LIMIT&timeInForce=GTC&price=30000';
      const body = `symbol=BTCUSDT&${order}&quantity=0.001&timestamp=${Date.now()}`;
      const signed = `${body}&signature=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      return {
        method: 'POST',
        path: '/api/v3/order',
        rawQuery: '',
        query: new URLSearchParams(),
        rawBody: signed,
        headers: { 'x-mbx-apikey': KEY },
        remoteAddress: '127.0.0.1',
      };
    };
    for (const type of ['MARKET', 'LIMIT'] as const) {
      const rounds = 3000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) {
        const res = api.handle(request(i, type));
        if (res.status !== 200) throw new Error(res.body);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `  emulator handler only (no HTTP), ${type.padEnd(6)} order: ${(rounds / seconds).toFixed(0).padStart(7)} orders/s, ${((seconds / rounds) * 1e6).toFixed(0)} µs each`,
      );
    }
    await inProcess.close();
    rmSync(dir, { recursive: true, force: true });
  }

  for (const markets of [0, 500]) {
    global.gc?.();
    const before = process.memoryUsage();
    const dir = mkdtempSync(join(tmpdir(), 'exchange-sim-bench-'));
    const started = Date.now();
    const big = await startExchangeSim({ port: 0, dataDir: dir, feed: 'random', tickMs: 0, syntheticMarkets: markets });
    const startMs = Date.now() - started;
    const tickStart = process.hrtime.bigint();
    big.simulator.advance(10);
    const tickMs = Number(process.hrtime.bigint() - tickStart) / 1e6 / 10;
    const res = await fetch(`${big.url}/binance/api/v3/ticker/24hr`);
    const tickers = (await res.json()) as unknown[];
    global.gc?.();
    const after = process.memoryUsage();
    console.log(
      `  ${String(big.simulator.catalog.all().length).padStart(5)} markets: start ${startMs} ms, one feed tick ${tickMs.toFixed(1)} ms, ` +
        `${tickers.length} Binance tickers; heap +${mb(after.heapUsed - before.heapUsed)}, rss ${mb(after.rss)}`,
    );
    await big.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
