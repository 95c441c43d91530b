// Figures for the order path (issue 14), each next to a baseline measured in the same run:
//  orders:    market orders through POST /api/orders, BENCH_CONNECTIONS (32) keep-alive connections for
//             BENCH_MS, against the emulator in its own process (rate limits raised), on SQLite and on a
//             throwaway PostgreSQL: orders/s, p50/p99/max, errors, the app's peak RSS and CPU, its
//             event-loop stalls; next to a bare ccxt client (its own process) placing the same orders
//             at the same emulator with the same concurrency. Afterwards every accepted order must be
//             FILLED at the emulator exactly once (its /_sim/orders control route, by client order id),
//             and no other order of ours may be there. Then BENCH_RATE (100) orders a second on schedule
//             for BENCH_RATE_MS (10 s; open loop, each timed from when it was due): the latency at the
//             original plan's rate, where the closed loop's latency is only 32 / throughput. Next to a
//             third baseline, the bare durable order route (bench/support/bare-durable: fastify + ccxt +
//             one committed INSERT and UPDATE per order on the same database settings): what recording an
//             order before sending it and its answer before replying costs here without any framework.
//  positions: GET /api/positions (32 connections, BENCH_READ_MS) with no fills, then again after the
//             trades table was seeded to BENCH_FILLS (100,000) fills — the order run's own fills plus
//             filled orders written through the app's persistence layer while it was stopped
//             (bench/support/seed-fills).
//  http:      GET /api/health/live next to a bare NestJS app on the same adapter (fastify) answering
//             one route, 32 connections, BENCH_READ_MS each.
// Run: npm run build && node dist/bench/orders.bench.js
// Knobs: BENCH_PARTS (orders,positions,http), BENCH_DRIVERS (sqlite,postgres), BENCH_MS (20000),
// BENCH_READ_MS (5000), BENCH_RATE (100), BENCH_RATE_MS (10000), BENCH_CONNECTIONS (32), BENCH_FILLS (100000), BENCH_APP_NODE_ARGS (extra node
// flags for the app, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_KEEP=1 (keep data directories),
// BENCH_APP_MAIN (another build's dist/apps/api/src/main.js, e.g. of main, to compare with the same baselines).
import ccxt from 'ccxt';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RateLimitOptions } from '@tradedesk/exchange-sim';
import { ccxtUrlsFor, SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { PostgresServer } from '@tradedesk/testing';
import { type LoadResult, runLoad } from './support/http-load.js';
import { AppProcess, BaselineProcess, BENCH_TOKEN, cpuMsOf, memoryOf, rssSampler, SimProcess, sleep } from './support/processes.js';
import { type Figure, record } from './support/results.js';
import { seedFills } from './support/seed-fills.js';

const list = (value: string | undefined, fallback: string): string[] =>
  (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const PARTS = list(process.env.BENCH_PARTS, 'orders,positions,http');
const DRIVERS = list(process.env.BENCH_DRIVERS, 'sqlite,postgres') as Array<'sqlite' | 'postgres'>;
const DURATION_MS = Number(process.env.BENCH_MS ?? 20_000);
const READ_MS = Number(process.env.BENCH_READ_MS ?? 5_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const RATE_MS = Number(process.env.BENCH_RATE_MS ?? 10_000);
const FILLS = Number(process.env.BENCH_FILLS ?? 100_000);
const APP_NODE_ARGS = list(process.env.BENCH_APP_NODE_ARGS?.replace(/\s+/g, ','), '');
const KEEP = process.env.BENCH_KEEP === '1';

const SYMBOL = 'BTC/USDT';
const PRICE = '50000';
const AMOUNT = '0.001';
const BINANCE = SEEDED_SIM_ACCOUNTS.find((a) => a.exchange === 'binance')!;
const BASELINE = { apiKey: 'bench-orders-baseline-key', secret: 'bench-orders-baseline-secret' };
const DEEP = { USDT: '1000000000', BTC: '100000' };
const RAISED_LIMITS: RateLimitOptions = {
  binance: { requestWeightPerMinute: 100_000_000, ordersPer10s: 10_000_000, ordersPerDay: 100_000_000 },
  upbit: { quotationPerSecond: 100_000, defaultPerSecond: 100_000, orderPerSecond: 100_000 },
};
const BENCH = 'orders';

// ---------------------------------------------------------------- formatting

const ms = (v: number): string => `${v.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
function loadLine(name: string, r: Pick<LoadResult, 'perSecond' | 'p50' | 'p99' | 'max' | 'errors' | 'count'>): string {
  return `  ${name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}; ${count(r.count)} answered, ${r.errors} errors`;
}

/** Things to undo on the way out, newest first, also on Ctrl-C. */
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => (KEEP ? console.log(`  (kept ${dir})`) : rmSync(dir, { recursive: true, force: true })));
  return dir;
}

// ---------------------------------------------------------------- baseline: bare ccxt, its own process

interface ClientResult {
  count: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  cpuMs: number;
  rss: number;
  error?: string;
}

/** Child mode: `connections` loops of ccxt createOrder (market, alternately buy and sell) for `durationMs`, configured as the app's gateway configures ccxt. */
async function ccxtClient(simUrl: string, connections: number, durationMs: number): Promise<void> {
  const client = new ccxt.binance({
    apiKey: BASELINE.apiKey,
    secret: BASELINE.secret,
    enableRateLimit: false,
    number: String,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
  });
  client.urls['api'] = ccxtUrlsFor('binance', simUrl);
  await client.loadMarkets();
  let n = 0;
  const order = () => {
    const i = n++;
    return client.createOrder(SYMBOL, 'market', i % 2 === 0 ? 'buy' : 'sell', AMOUNT as unknown as number, undefined, {
      newClientOrderId: `bl-${process.pid}-${i}`,
    });
  };
  for (let i = 0; i < 100; i++) await order();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const end = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        try {
          await order();
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const result: ClientResult = {
    count: latencies.length,
    errors,
    perSecond: latencies.length / seconds,
    p50: at(50),
    p99: at(99),
    max: latencies[latencies.length - 1] ?? NaN,
    cpuMs: (used.user + used.system) / 1000,
    rss: process.memoryUsage().rss,
    ...(firstError ? { error: firstError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await client.close();
}

async function ccxtBaseline(sim: SimProcess): Promise<ClientResult> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--ccxt-client', sim.url, String(CONNECTIONS), String(DURATION_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the ccxt baseline client exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as ClientResult;
}

// ---------------------------------------------------------------- the stack

interface Stack {
  driver: 'sqlite' | 'postgres';
  databaseUrl: string;
  dataDir: string;
  app: AppProcess;
  accountId: string;
}

async function startEmulator(): Promise<SimProcess> {
  const sim = await SimProcess.start(tempDir('td-bench-orders-sim-'));
  cleanups.push(() => sim.stop());
  await sim.control('POST', '/config', {
    rateLimits: RAISED_LIMITS,
    book: { binance: { spreadBps: 0, levelQuoteDepth: '100000000' } },
  });
  // Deep pockets for the seeded account tradedesk's sim mode uses, and for the baseline client.
  await sim.control('POST', '/accounts', { exchange: 'binance', apiKey: BINANCE.apiKey, secret: BINANCE.secret, balances: DEEP });
  await sim.control('POST', '/accounts', { exchange: 'binance', ...BASELINE, balances: DEEP });
  await sim.control('POST', '/price', { exchange: 'binance', symbol: SYMBOL, price: PRICE });
  return sim;
}

async function startApp(databaseUrl: string, dataDir: string, sim: SimProcess): Promise<AppProcess> {
  const app = await AppProcess.start(dataDir, { DATABASE_URL: databaseUrl, SIM: 'on', SIM_URL: sim.url }, APP_NODE_ARGS);
  cleanups.push(() => app.stop());
  return app;
}

async function startStack(driver: 'sqlite' | 'postgres', pg: PostgresServer | undefined, sim: SimProcess): Promise<Stack> {
  const dataDir = tempDir(`td-bench-orders-${driver}-`);
  const databaseUrl =
    driver === 'sqlite'
      ? `sqlite:${join(dataDir, 'tradedesk.sqlite')}`
      : await pg!.createDatabase(`bench_orders_${Date.now().toString(36)}`);
  const app = await startApp(databaseUrl, dataDir, sim);
  const listed = (
    await app.call<Array<{ id: string; exchange: string }> | { items: Array<{ id: string; exchange: string }> }>('GET', '/api/accounts')
  ).body;
  const account = (Array.isArray(listed) ? listed : listed.items).find((a) => a.exchange === 'binance');
  if (!account) throw new Error('no binance sim account');
  return { driver, databaseUrl, dataDir, app, accountId: account.id };
}

// ---------------------------------------------------------------- orders

interface OrdersRun {
  load: LoadResult;
  /** The open-loop run at RATE orders a second. */
  paced: LoadResult;
  cpuPercent: number;
  peakRss: number;
  stalls: number[];
  accepted: number;
  exactlyOnce: { ok: boolean; missing: number; duplicated: number; notFilled: number; strays: number };
  answeredStatuses: Record<string, number>;
  /** SQL statements per order by shape (BENCH_COUNT_STATEMENTS=1), emulator requests per order by route (all of the account and the baseline's). */
  statements: Record<string, number>;
  requests: Record<string, number>;
}

/** (after − before) / n for each key, largest first. */
function perOrder(after: Record<string, number>, before: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, (v - (before[k] ?? 0)) / n] as const)
      .filter(([, v]) => v > 0.005)
      .sort((a, b) => b[1] - a[1]),
  );
}

const perOrderLine = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ') || 'not counted';

async function ordersRun(s: Stack, sim: SimProcess): Promise<OrdersRun> {
  const accepted = new Map<string, string>();
  const answeredStatuses: Record<string, number> = {};
  const body = (i: number) =>
    JSON.stringify({ accountId: s.accountId, symbol: SYMBOL, side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', amount: AMOUNT });
  const headers = { authorization: `Bearer ${BENCH_TOKEN}` };
  const runStart = Date.now();
  // Warm-up first (JIT, market and fee caches), then the measured run; CPU and stalls of the measured part.
  await runLoad({
    url: s.app.url,
    connections: CONNECTIONS,
    durationMs: 0,
    warmup: 200,
    next: (i) => ({ method: 'POST', path: '/api/orders', headers, body: body(i) }),
    onAnswer: (_req, answer) => {
      if (answer.status === 201) {
        const order = JSON.parse(answer.body) as { clientOrderId: string; status: string };
        accepted.set(order.clientOrderId, order.status);
      }
    },
  });
  await sleep(300); // the statement counter writes every 250 ms
  const statements0 = s.app.statements();
  const requests0 = (await sim.control<{ requests: Record<string, number> }>('GET', '/requests?exchange=binance')).requests;
  const cpu0 = cpuMsOf(s.app.pid);
  const t0 = Date.now();
  const rss = rssSampler(s.app.pid);
  const load = await runLoad({
    url: s.app.url,
    connections: CONNECTIONS,
    durationMs: DURATION_MS,
    next: (i) => ({ method: 'POST', path: '/api/orders', headers, body: body(i) }),
    onAnswer: (_req, answer) => {
      if (answer.status === 201) {
        const order = JSON.parse(answer.body) as { clientOrderId: string; status: string };
        accepted.set(order.clientOrderId, order.status);
        answeredStatuses[order.status] = (answeredStatuses[order.status] ?? 0) + 1;
      }
    },
  });
  const cpuPercent = ((cpuMsOf(s.app.pid) - cpu0) / load.durationMs) * 100;
  const peakRss = rss.stop();
  const stalls = s.app.stallsSince(t0);
  await sleep(300);
  const statements = perOrder(s.app.statements(), statements0, load.count);
  const requests = perOrder(
    (await sim.control<{ requests: Record<string, number> }>('GET', '/requests?exchange=binance')).requests,
    requests0,
    load.count,
  );

  const paced = await runLoad({
    url: s.app.url,
    connections: CONNECTIONS,
    durationMs: RATE_MS,
    ratePerSecond: RATE,
    next: (i) => ({ method: 'POST', path: '/api/orders', headers, body: body(i) }),
    onAnswer: (_req, answer) => {
      if (answer.status === 201) {
        const order = JSON.parse(answer.body) as { clientOrderId: string; status: string };
        accepted.set(order.clientOrderId, order.status);
      }
    },
  });

  // Exactly once at the emulator: every accepted client order id there once, FILLED; none of ours besides.
  const { orders } = await sim.control<{ orders: Array<{ clientOrderId: string; status: string; createdAt: number }> }>(
    'GET',
    `/orders?exchange=binance&apiKey=${encodeURIComponent(BINANCE.apiKey)}`,
  );
  const seen = new Map<string, Array<{ status: string }>>();
  for (const o of orders) if (o.createdAt >= runStart - 1000) seen.set(o.clientOrderId, [...(seen.get(o.clientOrderId) ?? []), o]);
  let missing = 0;
  let duplicated = 0;
  let notFilled = 0;
  for (const id of accepted.keys()) {
    const found = seen.get(id) ?? [];
    if (found.length === 0) missing++;
    else if (found.length > 1) duplicated++;
    else if (found[0].status !== 'FILLED') notFilled++;
  }
  const strays = [...seen.keys()].filter((id) => !accepted.has(id)).length;
  return {
    load,
    paced,
    cpuPercent,
    peakRss,
    stalls,
    accepted: accepted.size,
    answeredStatuses,
    statements,
    requests,
    exactlyOnce: { ok: missing + duplicated + notFilled + strays === 0, missing, duplicated, notFilled, strays },
  };
}

/** The bare durable order route on a database of the stack's kind, loaded as tradedesk is (closed loop). */
async function durableBaseline(s: Stack, pg: PostgresServer | undefined, sim: SimProcess): Promise<LoadResult> {
  const database =
    s.driver === 'sqlite'
      ? join(tempDir('td-bench-orders-durable-'), 'orders.sqlite')
      : await pg!.createDatabase(`bench_durable_${Date.now().toString(36)}`);
  const route = await BaselineProcess.bareDurable(database, sim.url, BASELINE.apiKey, BASELINE.secret);
  cleanups.push(() => route.stop());
  const body = (i: number) => JSON.stringify({ symbol: SYMBOL, side: i % 2 === 0 ? 'buy' : 'sell', amount: AMOUNT });
  const load = await runLoad({
    url: route.url,
    connections: CONNECTIONS,
    durationMs: DURATION_MS,
    warmup: 200,
    next: (i) => ({ method: 'POST', path: '/orders', body: body(i) }),
  });
  await route.stop();
  return load;
}

async function ordersPart(s: Stack, sim: SimProcess, pg: PostgresServer | undefined): Promise<void> {
  const bare = await ccxtBaseline(sim);
  const durable = await durableBaseline(s, pg, sim);
  const run = await ordersRun(s, sim);
  const r = run.load;
  const throughputMet = r.perSecond >= 0.5 * bare.perSecond;
  const p99Met = r.p99 <= 100;
  const longest = run.stalls.length ? Math.max(...run.stalls) : 0;
  console.log(
    `\norders, ${s.driver}: market orders ${SYMBOL}, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s, emulator in its own process (limits raised)`,
  );
  console.log(loadLine('POST /api/orders (tradedesk)', r));
  console.log(loadLine('bare ccxt createOrder (baseline)', bare));
  if (bare.error) console.log(`    baseline errors, e.g. ${bare.error}`);
  console.log(loadLine('bare durable order route (baseline)', durable));
  console.log(
    `  ratio ${ratio(r.perSecond, bare.perSecond)} of the bare client (goal ≥ 0.5×: ${verdict(throughputMet)}); p99 ${ms(r.p99)} (goal ≤ 100 ms: ${verdict(p99Met)}); ` +
      `errors ${r.errors} (HTTP ${Object.entries(r.statuses)
        .map(([st, n]) => `${st}×${n}`)
        .join(' ')})`,
  );
  console.log(
    `  ratio ${ratio(r.perSecond, durable.perSecond)} of the bare durable route, which is ${ratio(durable.perSecond, bare.perSecond)} of the bare client`,
  );
  const pacedMet = run.paced.p99 <= 100 && run.paced.errors === 0;
  console.log(loadLine(`POST /api/orders at ${RATE}/s on schedule (open loop)`, run.paced));
  console.log(`  p99 at ${RATE}/s ${ms(run.paced.p99)} (goal ≤ 100 ms: ${verdict(pacedMet)})`);
  console.log(
    `  answered statuses: ${Object.entries(run.answeredStatuses)
      .map(([st, n]) => `${st} ${count(n)}`)
      .join(', ')}; exactly once at the emulator: ${run.exactlyOnce.ok ? 'yes' : 'NO'} — ${count(run.accepted)} accepted (with warm-up), ` +
      `${run.exactlyOnce.missing} missing, ${run.exactlyOnce.duplicated} twice or more, ${run.exactlyOnce.notFilled} not FILLED, ${run.exactlyOnce.strays} sent but not answered`,
  );
  console.log(
    `  tradedesk: CPU ${run.cpuPercent.toFixed(0)} % of a core, RSS peak ${mb(run.peakRss)} (goal < 512 MB); longest event-loop stall ` +
      `${longest ? ms(longest) : 'none over 100 ms'} (goal none > 100 ms); bare client CPU ${((bare.cpuMs / DURATION_MS) * 100).toFixed(0)} %, RSS ${mb(bare.rss)}`,
  );
  const counted = Object.entries(run.statements).filter(([k]) => !k.startsWith('ms '));
  const timed = Object.entries(run.statements).filter(([k]) => k.startsWith('ms '));
  const statementTotal = counted.reduce((a, [, b]) => a + b, 0);
  if (statementTotal > 0) {
    console.log(`  SQL statements per order (${statementTotal.toFixed(1)}): ${perOrderLine(Object.fromEntries(counted))}`);
    const msTotal = timed.reduce((a, [, b]) => a + b, 0);
    console.log(
      `  SQL ms per order, sent → answered (${msTotal.toFixed(2)}): ${perOrderLine(Object.fromEntries(timed.map(([k, v]) => [k.slice(3), v])))}`,
    );
  }
  console.log(`  emulator requests per API order (baseline client's included while it ran: none now): ${perOrderLine(run.requests)}`);
  const d = s.driver;
  const figures: Figure[] = [
    {
      bench: BENCH,
      name: `POST /api/orders orders/s, ${d}`,
      value: r.perSecond,
      unit: '/s',
      baseline: { name: 'bare ccxt client', value: bare.perSecond },
      goal: '≥ 0.5 × baseline',
      met: throughputMet,
    },
    { bench: BENCH, name: `POST /api/orders p50, ${d}`, value: r.p50, unit: 'ms', baseline: { name: 'bare ccxt client', value: bare.p50 } },
    {
      bench: BENCH,
      name: `POST /api/orders p99, ${d}`,
      value: r.p99,
      unit: 'ms',
      baseline: { name: 'bare ccxt client', value: bare.p99 },
      goal: '≤ 100 ms',
      met: p99Met,
    },
    {
      bench: BENCH,
      name: `bare durable order route orders/s, ${d}`,
      value: durable.perSecond,
      unit: '/s',
      baseline: { name: 'bare ccxt client', value: bare.perSecond },
    },
    {
      bench: BENCH,
      name: `POST /api/orders p99 at ${RATE}/s on schedule, ${d}`,
      value: run.paced.p99,
      unit: 'ms',
      goal: '≤ 100 ms',
      met: pacedMet,
    },
    { bench: BENCH, name: `POST /api/orders max, ${d}`, value: r.max, unit: 'ms', baseline: { name: 'bare ccxt client', value: bare.max } },
    { bench: BENCH, name: `POST /api/orders errors, ${d}`, value: r.errors, unit: '', goal: '0', met: r.errors === 0 },
    {
      bench: BENCH,
      name: `orders not exactly once FILLED at the emulator, ${d}`,
      value: run.exactlyOnce.missing + run.exactlyOnce.duplicated + run.exactlyOnce.notFilled + run.exactlyOnce.strays,
      unit: '',
      goal: '0',
      met: run.exactlyOnce.ok,
    },
    {
      bench: BENCH,
      name: `app RSS peak, ${d}`,
      value: run.peakRss / 1024 / 1024,
      unit: 'MB',
      goal: '< 512 MB',
      met: run.peakRss < 512 * 1024 * 1024,
    },
    { bench: BENCH, name: `app CPU, ${d}`, value: run.cpuPercent, unit: '% of a core' },
    { bench: BENCH, name: `longest event-loop stall, ${d}`, value: longest, unit: 'ms', goal: 'none > 100 ms', met: longest === 0 },
  ];
  record(...figures);
}

// ---------------------------------------------------------------- positions

async function positionsLoad(app: AppProcess, accountId: string): Promise<LoadResult> {
  return runLoad({
    url: app.url,
    connections: CONNECTIONS,
    durationMs: READ_MS,
    warmup: 64,
    next: () => ({ method: 'GET', path: `/api/positions?accountId=${accountId}`, headers: { authorization: `Bearer ${BENCH_TOKEN}` } }),
  });
}

async function positionsPart(s: Stack, sim: SimProcess, empty: LoadResult): Promise<Stack> {
  await s.app.stop();
  const seeded = await seedFills({
    driver: s.driver,
    url: s.databaseUrl,
    accountId: s.accountId,
    symbol: SYMBOL,
    total: FILLS,
    price: PRICE,
  });
  const app = await startApp(s.databaseUrl, s.dataDir, sim);
  const full = await positionsLoad(app, s.accountId);
  const met = full.p50 <= 1.5 * empty.p50;
  console.log(`\npositions, ${s.driver}: GET /api/positions, ${CONNECTIONS} connections, ${READ_MS / 1000} s each`);
  console.log(loadLine('no fills (baseline)', empty));
  console.log(loadLine(`${count(FILLS)} fills`, full));
  console.log(
    `  (${count(seeded.added)} filled orders seeded through the app's persistence layer in ${(seeded.ms / 1000).toFixed(1)} s, the rest from the order run)`,
  );
  console.log(
    `  p50 at ${count(FILLS)} fills ${ratio(full.p50, empty.p50)} of no fills (goal ≤ 1.5×: ${verdict(met)}); req/s ${ratio(full.perSecond, empty.perSecond)}`,
  );
  record({
    bench: BENCH,
    name: `GET /api/positions p50 at ${count(FILLS)} fills, ${s.driver}`,
    value: full.p50,
    unit: 'ms',
    baseline: { name: 'no fills', value: empty.p50 },
    goal: '≤ 1.5 × baseline',
    met,
  });
  return { ...s, app };
}

// ---------------------------------------------------------------- http

async function httpPart(s: Stack): Promise<void> {
  const bare = await BaselineProcess.bareNest();
  cleanups.push(() => bare.stop());
  const rounds = async (url: string, path: string, headers: Record<string, string> = {}) =>
    runLoad({ url, connections: CONNECTIONS, durationMs: READ_MS, warmup: 500, next: () => ({ method: 'GET', path, headers }) });
  const bareResult = await rounds(bare.url, '/ping');
  const bareRss = memoryOf(bare.pid)?.rss ?? NaN;
  const live = await rounds(s.app.url, '/api/health/live');
  await bare.stop();
  const met = live.perSecond >= 0.5 * bareResult.perSecond;
  console.log(`\nhttp overhead (${s.driver} app): ${CONNECTIONS} connections, ${READ_MS / 1000} s each`);
  console.log(loadLine('GET /api/health/live (tradedesk)', live));
  console.log(loadLine('GET /ping, bare NestJS + fastify (baseline)', bareResult));
  console.log(`  ratio ${ratio(live.perSecond, bareResult.perSecond)} (goal ≥ 0.5×: ${verdict(met)}); bare app RSS ${mb(bareRss)}`);
  record(
    {
      bench: BENCH,
      name: 'GET /api/health/live req/s',
      value: live.perSecond,
      unit: '/s',
      baseline: { name: 'bare NestJS route', value: bareResult.perSecond },
      goal: '≥ 0.5 × baseline',
      met,
    },
    {
      bench: BENCH,
      name: 'GET /api/health/live p99',
      value: live.p99,
      unit: 'ms',
      baseline: { name: 'bare NestJS route', value: bareResult.p99 },
    },
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(
    `bench/orders: ${PARTS.join(', ')}; drivers ${DRIVERS.join(', ')}; ${CONNECTIONS} connections; node ${process.version}. ` +
      'Figures are noisy on a shared machine: compare with the baseline printed next to each.',
  );
  let pg: PostgresServer | undefined;
  try {
    if (DRIVERS.includes('postgres')) {
      pg = await PostgresServer.create();
      cleanups.push(() => pg!.destroy());
    }
    const sim = await startEmulator();
    for (const [i, driver] of DRIVERS.entries()) {
      let s = await startStack(driver, pg, sim);
      const empty = PARTS.includes('positions') ? await positionsLoad(s.app, s.accountId) : undefined;
      if (PARTS.includes('orders')) await ordersPart(s, sim, pg);
      if (empty) s = await positionsPart(s, sim, empty);
      if (PARTS.includes('http') && i === 0) await httpPart(s);
      await s.app.stop();
    }
  } finally {
    await cleanUp();
  }
}

if (process.argv[2] === '--ccxt-client') await ccxtClient(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else await main();
