// Figures for issue 17: what do metrics cost the order path? Two instances of the built app (SQLite
// each, sim mode against one in-process emulator) run side by side in one run: one with METRICS=on
// (every HTTP request, exchange request, order event and tick recorded; /metrics scraped by this
// script every BENCH_SCRAPE_EVERY orders as Prometheus would), one with METRICS=off (nothing
// recorded: the baseline). They take market orders in turn (alternating buy and sell 0.001 BTC on
// the Binance sim account), so the machine's other load falls on both alike. Prints the latency of
// POST /api/orders for both, and the ratio of orders per second on/off. Goal (issue 17): ≥ 0.95.
// Run: npm run build && node dist/bench/metrics.bench.js
// Knobs: BENCH_METRICS (on,off — off,off is an A/A run: the two instances' difference without metrics), BENCH_ORDERS (400), BENCH_WARMUP (30), BENCH_SCRAPE_EVERY (50), BENCH_APP_MAIN (dist/apps/api/src/main.js), BENCH_KEEP.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startExchangeSim } from '@tradedesk/exchange-sim';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { percentile } from './support/http-load.js';
import { record } from './support/results.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = (() => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const TOKEN = 'bench-token-0123456789abcdef';
const DEEP: Record<string, Record<string, string>> = {
  binance: { USDT: '10000000', BTC: '100' },
  upbit: { KRW: '100000000000', BTC: '100' },
};
const ORDERS = Number(process.env.BENCH_ORDERS ?? 400);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const SCRAPE_EVERY = Number(process.env.BENCH_SCRAPE_EVERY ?? 50);
const MODES = (process.env.BENCH_METRICS ?? 'on,off').split(',').map((m) => m.trim() === 'on');
const APP_MAIN = process.env.BENCH_APP_MAIN ?? join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

interface Instance {
  name: string;
  metrics: boolean;
  child: ChildProcess;
  url: string;
  accountId: string;
  dataDir: string;
  latencies: number[];
  scrapes: number[];
  /** CPU seconds the app process used while it took the measured orders. */
  cpuSeconds: number;
}

/** User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere). */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function startApp(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [APP_MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /tradedesk listening on (http:\/\/[^\s"]+)/.exec(out)?.[1];
    if (url) return { child, url };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`app did not start: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function api<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function start(name: string, metrics: boolean, simUrl: string): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'td-bench-metrics-'));
  const { child, url } = await startApp({
    DATA_DIR: dataDir,
    API_TOKEN: TOKEN,
    MASTER_KEY: '00'.repeat(32),
    SIM: 'on',
    SIM_URL: simUrl,
    METRICS: metrics ? 'on' : 'off',
  });
  const accounts = (await api<Array<{ id: string; exchange: string }>>(`${url}/api/accounts`)).body;
  return {
    name,
    metrics,
    child,
    url,
    accountId: accounts.find((a) => a.exchange === 'binance')!.id,
    dataDir,
    latencies: [],
    scrapes: [],
    cpuSeconds: 0,
  };
}

async function placeOrder(p: Instance, i: number): Promise<number> {
  const started = performance.now();
  const res = await api<{ status: string }>(`${p.url}/api/orders`, 'POST', {
    accountId: p.accountId,
    symbol: 'BTC/USDT',
    side: i % 2 === 0 ? 'buy' : 'sell',
    type: 'market',
    amount: '0.001',
  });
  const elapsed = performance.now() - started;
  if (res.status !== 201) throw new Error(`${p.name} order ${i}: ${res.status} ${JSON.stringify(res.body)}`);
  return elapsed;
}

/**
 * What Prometheus would do every 15 s: read the whole text (load on the order path, not timed with
 * it). The instance without metrics is asked too (it answers 404), so both serve as many requests.
 */
async function scrape(p: Instance): Promise<void> {
  const started = performance.now();
  const res = await fetch(`${p.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  if (res.status !== (p.metrics ? 200 : 404) || (p.metrics && !text.includes('tradedesk_orders_total')))
    throw new Error(`${p.name}: scrape answered ${res.status}`);
  p.scrapes.push(performance.now() - started);
}

async function stop(p: Instance): Promise<void> {
  p.child.kill('SIGTERM');
  await new Promise((resolve) => p.child.once('exit', resolve));
  if (process.env.BENCH_KEEP) console.log(`${p.name}: data and logs kept in ${p.dataDir}`);
  else rmSync(p.dataDir, { recursive: true, force: true });
}

/** Order `i` on each instance, the first one alternating; timed once past the warm-up. */
async function orderPair(instances: Instance[], i: number): Promise<void> {
  for (const p of i % 2 === 0 ? instances : instances.toReversed()) {
    const elapsed = await placeOrder(p, i);
    if (i >= WARMUP) p.latencies.push(elapsed);
  }
}

/** Warm-up, then the measured orders, the instances in turn (alternating which goes first), scraped every SCRAPE_EVERY. */
async function takeOrders(instances: Instance[]): Promise<void> {
  const cpuAtStart = new Map<Instance, number>();
  for (let i = 0; i < WARMUP + ORDERS; i++) {
    if (i === WARMUP) for (const p of instances) cpuAtStart.set(p, cpuSecondsOf(p.child.pid));
    await orderPair(instances, i);
    if (i % SCRAPE_EVERY === 0) for (const p of instances) await scrape(p);
  }
  for (const p of instances) p.cpuSeconds = cpuSecondsOf(p.child.pid) - cpuAtStart.get(p)!;
}

async function report(instances: Instance[]): Promise<void> {
  const off = await api<{ code: string }>(`${instances[1].url}/metrics`);
  console.log(`\nPOST /api/orders, ${ORDERS} market orders per instance (after ${WARMUP} warm-up), taken in turn`);
  console.log(`METRICS=off answers /metrics with ${off.status} ${off.body.code}\n`);
  console.log('instance          |       p50 |       p90 |       p99 |      mean | orders/s | app CPU ms per order');
  const rows = instances.map((p) => {
    const sorted = p.latencies.toSorted((a, b) => a - b);
    const mean = p.latencies.reduce((a, b) => a + b, 0) / p.latencies.length;
    return { p, sorted, mean, perSecond: 1000 / mean };
  });
  const f = (n: number) => `${n.toFixed(2)} ms`.padStart(9);
  for (const r of rows)
    console.log(
      `${r.p.name.padEnd(17)} | ${f(percentile(r.sorted, 50))} | ${f(percentile(r.sorted, 90))} | ${f(percentile(r.sorted, 99))} | ${f(r.mean)} | ${r.perSecond.toFixed(1).padStart(8)} | ${((r.p.cpuSeconds * 1000) / ORDERS).toFixed(2)}`,
    );
  const [first, second] = rows;
  const scrapes = first.p.scrapes.toSorted((a, b) => a - b);
  console.log(`\nthroughput ratio first/second (mean): ${(first.perSecond / second.perSecond).toFixed(3)} (goal on/off ≥ 0.95)`);
  console.log(`app CPU ratio second/first: ${(second.p.cpuSeconds / first.p.cpuSeconds).toFixed(3)}`);
  const ratio = first.perSecond / second.perSecond;
  record({
    bench: 'metrics',
    name: `orders/s, ${first.p.name}`,
    value: first.perSecond,
    unit: '/s',
    baseline: { name: second.p.name, value: second.perSecond },
    goal: 'on/off ≥ 0.95',
    met: ratio >= 0.95,
  });
  console.log(
    `p50 ratio second/first: ${(percentile(second.sorted, 50) / percentile(first.sorted, 50)).toFixed(3)}; ` +
      `${scrapes.length} scrapes of the first, p50 ${percentile(scrapes, 50).toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  const simDir = mkdtempSync(join(tmpdir(), 'td-bench-metrics-sim-'));
  const sim = await startExchangeSim({
    port: 0,
    feed: 'manual',
    tickMs: 0,
    dataDir: simDir,
    accounts: SEEDED_SIM_ACCOUNTS.map((a) => ({ ...a, balances: DEEP[a.exchange] })),
    book: { binance: { spreadBps: 0, levelQuoteDepth: '100000000' }, upbit: { spreadBps: 0, levelQuoteDepth: '100000000000' } },
    rateLimits: { binance: { ordersPer10s: 100_000, requestWeightPerMinute: 10_000_000 } },
  });
  await fetch(`${sim.url}/_sim/price`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ exchange: 'binance', symbol: 'BTC/USDT', price: '50000' }),
  });
  const instances = [
    await start(`metrics ${MODES[0] ? 'on' : 'off'}`, MODES[0], sim.url),
    await start(`metrics ${MODES[1] ? 'on' : 'off'}${MODES[0] === MODES[1] ? ' (2)' : ''}`, MODES[1], sim.url),
  ];
  try {
    await takeOrders(instances);
    await report(instances);
  } finally {
    for (const p of instances) await stop(p).catch(() => undefined);
    await sim.close();
    rmSync(simDir, { recursive: true, force: true });
  }
}

await main();
