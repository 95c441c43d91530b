// Figures for the conditions engine (issue 6), in three parts, each with a baseline from the same run:
//  tick:  per-tick evaluation of the in-memory trigger books over 200 markets with nothing
//         triggering, next to a naive full scan, for 100, 10,000 and 100,000 armed conditions.
//  (a)    1,000 simultaneous stop-losses, emulator rate limits raised: the built app as a child
//         process (scheduler tick → engine compare-and-set + outbox intent → PlaceOrder → governor →
//         ccxt → emulator), time from the price change until the emulator accepted every sell, next
//         to 1,000 bare ccxt createOrder calls sent at once from a fresh process.
//  (b)    the same 1,000 with the emulator's real (default) limits plus manual limit orders and
//         ticker reads through the API: time until everything is accepted, 429/418 answers, and
//         whether the protective exits went first.
//  RSS for every part. (a) and (b) run on SQLite and on a throwaway PostgreSQL.
// Run: npm run build && node --expose-gc dist/bench/triggers.bench.js
// Knobs: BENCH_PARTS (tick,raised,real), BENCH_DRIVERS (sqlite,postgres), BENCH_TRIGGERS (1000),
// BENCH_MANUAL (100), BENCH_TICK_MS (app TICK_MS, 1000), BENCH_TICKS (1000),
// BENCH_APP_NODE_ARGS (extra node flags for the app, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_KEEP=1 (keep the
// app's data directory: database and logs).
import ccxt from 'ccxt';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Decimal, dec } from '@tradedesk/shared';
import { MarketTriggerBook } from '@tradedesk/conditions';
import { type ExchangeSimulator, type RateLimitOptions } from '@tradedesk/exchange-sim';
import { ccxtUrlsFor, type ExchangeSimAccount } from '@tradedesk/exchange-sim-client';
import { PostgresServer, waitFor } from '@tradedesk/testing';
import { DEEP_POCKETS, seededSimAccounts, type SimHarness, startSimHarness, ZERO_SPREAD_BOOK } from '../test/support/sim-harness.js';
import { percentile } from './support/http-load.js';
import { AppProcess, memoryOf } from './support/processes.js';
import { record } from './support/results.js';

const list = (value: string | undefined, fallback: string): string[] =>
  (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const PARTS = list(process.env.BENCH_PARTS, 'tick,raised,real');
const DRIVERS = list(process.env.BENCH_DRIVERS, 'sqlite,postgres') as Array<'sqlite' | 'postgres'>;
const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 1000);
const MANUAL = Number(process.env.BENCH_MANUAL ?? 100);
const APP_TICK_MS = Number(process.env.BENCH_TICK_MS ?? 1000);
const APP_NODE_ARGS = list(process.env.BENCH_APP_NODE_ARGS?.replace(/\s+/g, ','), '');
/** Keep the app's data directory (database, logs) for a look afterwards. */
const KEEP = process.env.BENCH_KEEP === '1';

const SYMBOL = 'BTC/USDT';
const STOP_AMOUNT = '0.001';
const BASELINE_ACCOUNT: ExchangeSimAccount = {
  exchange: 'binance',
  apiKey: 'bench-baseline-key',
  secret: 'bench-baseline-secret',
  balances: { USDT: '10000000', BTC: '100' },
};
/** "Raised" limits: high enough never to answer 429, published through exchangeInfo so the app's governor takes them too. */
const RAISED_LIMITS: RateLimitOptions = {
  binance: { requestWeightPerMinute: 100_000_000, ordersPer10s: 10_000_000, ordersPerDay: 100_000_000 },
  upbit: { quotationPerSecond: 100_000, defaultPerSecond: 100_000, orderPerSecond: 100_000 },
};

// ---------------------------------------------------------------- helpers

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const count = (n: number): string => n.toLocaleString('en-US');

function spread(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${seconds(percentile(sorted, 50))}, p99 ${seconds(percentile(sorted, 99))}, max ${seconds(sorted[sorted.length - 1])}, first ${seconds(sorted[0])}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Things to undo on the way out, newest first, also on Ctrl-C. */
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

// ---------------------------------------------------------------- tick part

interface Naive {
  market: number;
  stop?: Decimal;
  takeProfit?: Decimal;
}

/** Arms stops 50–95, take-profits 105–150 and brackets with both, spread over the markets: prices tick between 99 and 101. */
function armTriggers(armed: number, markets: number): { books: MarketTriggerBook[]; naive: Naive[] } {
  const books = Array.from({ length: markets }, () => new MarketTriggerBook());
  const naive: Naive[] = [];
  for (let i = 0; i < armed; i++) {
    const market = i % markets;
    const kind = i % 3;
    const stop = dec(50 + (i % 4500) / 100);
    const takeProfit = dec(105 + (i % 4500) / 100);
    if (kind === 0) {
      books[market].add({ id: String(i), stopPrice: stop });
      naive.push({ market, stop });
    } else if (kind === 1) {
      books[market].add({ id: String(i), takeProfitPrice: takeProfit });
      naive.push({ market, takeProfit });
    } else {
      books[market].add({ id: String(i), stopPrice: stop, takeProfitPrice: takeProfit });
      naive.push({ market, stop, takeProfit });
    }
  }
  return { books, naive };
}

/** Milliseconds for every market's book to observe one tick. */
function timeBooks(books: MarketTriggerBook[], price: Decimal): number {
  const started = process.hrtime.bigint();
  let hits = 0;
  for (const book of books) hits += book.observe(price).hits.length;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (hits !== 0) throw new Error('nothing should trigger in this benchmark');
  return ms;
}

/** Milliseconds to check one tick against every armed trigger, one by one. */
function timeNaiveScan(naive: Naive[], price: Decimal): number {
  const started = process.hrtime.bigint();
  let scanHits = 0;
  for (const c of naive) if ((c.stop && price.lte(c.stop)) || (c.takeProfit && price.gte(c.takeProfit))) scanHits++;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (scanHits !== 0) throw new Error('nothing should trigger in this benchmark');
  return ms;
}

function tickRun(armed: number, markets: number, ticks: number) {
  const { books, naive } = armTriggers(armed, markets);
  const prices = Array.from({ length: ticks }, (_, t) => dec(99 + ((t * 7) % 200) / 100));
  const bookTimes: number[] = [];
  const scanTimes: number[] = [];
  for (let t = 0; t < ticks; t++) {
    bookTimes.push(timeBooks(books, prices[t]));
    // The naive scan (up to 50 ms a tick at 100,000) on every 5th tick: enough for its percentiles.
    if (t % 5 === 0) scanTimes.push(timeNaiveScan(naive, prices[t]));
  }
  bookTimes.sort((a, b) => a - b);
  scanTimes.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss;
  return {
    armed,
    rss,
    booksP50: percentile(bookTimes, 50),
    booksP99: percentile(bookTimes, 99),
    scanP50: percentile(scanTimes, 50),
    scanP99: percentile(scanTimes, 99),
  };
}

function tickPart(): void {
  const markets = 200;
  const ticks = Number(process.env.BENCH_TICKS ?? 1000);
  tickRun(1_000, markets, ticks); // warm-up (JIT)
  global.gc?.();
  const rows = [100, 10_000, 100_000].map((armed) => tickRun(armed, markets, ticks));
  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(
    `\ntick: ${markets} markets, ${ticks} ticks each (naive scan: every 5th), nothing triggering (goal: p99 < 1 ms at 100,000 armed)`,
  );
  for (const r of rows) {
    console.log(
      `  ${count(r.armed).padStart(7)} armed: books p50 ${fmt(r.booksP50)} p99 ${fmt(r.booksP99)} | naive scan p50 ${fmt(r.scanP50)} p99 ${fmt(r.scanP99)} | RSS ${mb(r.rss)}`,
    );
  }
  const [small, mid] = rows;
  console.log(
    `  ratio 10,000 vs 100 armed (p50): books ${(mid.booksP50 / small.booksP50).toFixed(2)}×, naive scan ${(mid.scanP50 / small.scanP50).toFixed(2)}×`,
  );
  console.log(`  RSS with 100,000 armed (books and the naive list, one process): ${mb(rows[2].rss)} (goal < 512 MB)`);
  const top = rows[2];
  record({
    bench: 'triggers',
    name: `tick p99, ${count(top.armed)} armed`,
    value: top.booksP99,
    unit: 'ms',
    baseline: { name: 'naive scan p99', value: top.scanP99 },
    goal: '< 1 ms',
    met: top.booksP99 < 1,
  });
}

// ---------------------------------------------------------------- the app as a child process

// ---------------------------------------------------------------- emulator instrumentation

/** Counts the emulator's rate-limit answers: 429 (over a limit) and 418 (banned), both exchanges. */
function countLimitAnswers(simulator: ExchangeSimulator): { tooMany: number; banned: number } {
  const counts = { tooMany: 0, banned: 0 };
  const tally = (kind: string) => {
    if (kind === 'limited') counts.tooMany++;
    else if (kind === 'banned') counts.banned++;
  };
  const binance = simulator.binanceLimiter;
  const weight = binance.weight.bind(binance);
  binance.weight = (ip, cost, now) => {
    const verdict = weight(ip, cost, now);
    tally(verdict.kind);
    return verdict;
  };
  const order = binance.order.bind(binance);
  binance.order = (apiKey, now) => {
    const verdict = order(apiKey, now);
    if (!verdict.ok) counts.tooMany++;
    return verdict;
  };
  const upbit = simulator.upbitLimiter;
  const hit = upbit.hit.bind(upbit);
  upbit.hit = (group, key, now) => {
    const verdict = hit(group, key, now);
    tally(verdict.kind);
    return verdict;
  };
  return counts;
}

/** Acceptance instants (emulator clock = ours), relative to `since`, of the account's Binance orders on one market and side. */
function acceptedSince(simulator: ExchangeSimulator, apiKey: string, side: 'buy' | 'sell', since: number, symbol = SYMBOL): number[] {
  return simulator.store
    .listOrders({ exchange: 'binance', apiKey, startTime: since })
    .filter((o) => o.side.toLowerCase() === side && (o.symbol === symbol || o.marketId === symbol.replace('/', '')))
    .map((o) => o.createdAt - since);
}

async function waitAccepted(
  simulator: ExchangeSimulator,
  apiKey: string,
  side: 'buy' | 'sell',
  since: number,
  expected: number,
  deadlineMs: number,
  symbol = SYMBOL,
): Promise<number[]> {
  const deadline = since + deadlineMs;
  for (;;) {
    const accepted = acceptedSince(simulator, apiKey, side, since, symbol);
    if (accepted.length >= expected || Date.now() > deadline) return accepted.sort((a, b) => a - b);
    await sleep(100);
  }
}

function requestSummary(simulator: ExchangeSimulator): string {
  const routes = simulator.requestCountsOf('binance');
  return Object.entries(routes)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${route} ${count(n)}`)
    .join(', ');
}

// ---------------------------------------------------------------- baseline: bare ccxt, another process

/** Child mode: N ccxt createOrder calls sent at once, as the app's gateway configures ccxt; prints when it started. */
async function baselineClient(simUrl: string, n: number): Promise<void> {
  const client = new ccxt.binance({
    apiKey: BASELINE_ACCOUNT.apiKey,
    secret: BASELINE_ACCOUNT.secret,
    enableRateLimit: false,
    number: String,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
  });
  client.urls['api'] = ccxtUrlsFor('binance', simUrl);
  await client.loadMarkets();
  const sell = (clientOrderId: string) =>
    client.createOrder(SYMBOL, 'market', 'sell', STOP_AMOUNT as unknown as number, undefined, { newClientOrderId: clientOrderId });
  for (let i = 0; i < 20; i++) await sell(`bl-warm-${i}`);
  const started = Date.now();
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => sell(`bl-${i}`)));
  const failed = results.filter((r) => r.status === 'rejected');
  process.stdout.write(
    `${JSON.stringify({ started, ms: Date.now() - started, failed: failed.length, error: failed[0] ? String(failed[0].reason) : undefined })}\n`,
  );
  await client.close();
}

async function baseline(sim: SimHarness, n: number): Promise<{ accepted: number[]; clientMs: number; failed: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--baseline-client', sim.url, String(n)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`baseline client exited with ${code}`);
  const result = JSON.parse(out.trim().split('\n').pop()!) as { started: number; ms: number; failed: number; error?: string };
  if (result.error) console.error(`  baseline: ${result.failed} failed, e.g. ${result.error}`);
  const accepted = acceptedSince(sim.sim.simulator, BASELINE_ACCOUNT.apiKey, 'sell', result.started).sort((a, b) => a - b);
  return { accepted, clientMs: result.ms, failed: result.failed };
}

// ---------------------------------------------------------------- (a) and (b)

interface Stack {
  sim: SimHarness;
  app: AppProcess;
  dataDir: string;
  accountId: string;
  apiKey: string;
  limitAnswers: { tooMany: number; banned: number };
  close(): Promise<void>;
}

async function startStack(driver: 'sqlite' | 'postgres', pg: PostgresServer | undefined, rateLimits?: RateLimitOptions): Promise<Stack> {
  const sim = await startSimHarness({
    accounts: [...seededSimAccounts(DEEP_POCKETS), BASELINE_ACCOUNT],
    book: ZERO_SPREAD_BOOK,
    ...(rateLimits ? { rateLimits } : {}),
  });
  cleanups.push(() => sim.close());
  const limitAnswers = countLimitAnswers(sim.sim.simulator);
  await sim.setPrice('binance', SYMBOL, '50000');
  await sim.setPrice('binance', 'ETH/USDT', '3000');
  const dataDir = mkdtempSync(join(tmpdir(), 'td-bench-triggers-'));
  let removed = false;
  const removeDataDir = () => {
    if (removed) return;
    removed = true;
    if (KEEP) console.log(`  (kept ${dataDir})`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
  cleanups.push(removeDataDir);
  const databaseUrl =
    driver === 'sqlite' ? `sqlite:${join(dataDir, 'tradedesk.sqlite')}` : await pg!.createDatabase(`bench_${Date.now().toString(36)}`);
  const app = await AppProcess.start(
    dataDir,
    { DATABASE_URL: databaseUrl, SIM: 'on', SIM_PORT: '0', SIM_URL: sim.url, TICK_MS: String(APP_TICK_MS) },
    APP_NODE_ARGS,
  );
  cleanups.push(() => app.stop());
  const accounts = (
    await app.call<Array<{ id: string; exchange: string }> | { items: Array<{ id: string; exchange: string }> }>('GET', '/api/accounts')
  ).body;
  const account = (Array.isArray(accounts) ? accounts : accounts.items).find((a) => a.exchange === 'binance');
  if (!account) throw new Error('no binance sim account');
  const apiKey = seededSimAccounts(DEEP_POCKETS).find((a) => a.exchange === 'binance')!.apiKey;
  return {
    sim,
    app,
    dataDir,
    accountId: account.id,
    apiKey,
    limitAnswers,
    close: async () => {
      await app.stop();
      await sim.close();
      removeDataDir();
    },
  };
}

/** Buys a position big enough, arms `n` stop-losses through the API (8 at a time), waits until the engine holds them (and `alsoArmed` others). */
async function armStops(s: Stack, n: number, alsoArmed = 0): Promise<number> {
  const position = dec(STOP_AMOUNT).times(n).plus('0.1').toFixed();
  const buy = await s.app.call('POST', '/api/orders', {
    accountId: s.accountId,
    symbol: SYMBOL,
    side: 'buy',
    type: 'market',
    amount: position,
  });
  if (buy.status !== 201) throw new Error(`position buy: ${buy.status} ${JSON.stringify(buy.body)}`);
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < n; i = next++) {
        const triggerPrice = (45000 + (i * 4000) / n).toFixed(2);
        const res = await s.app.call('POST', '/api/conditions', {
          kind: 'stop_loss',
          accountId: s.accountId,
          symbol: SYMBOL,
          triggerPrice,
          amount: STOP_AMOUNT,
        });
        if (res.status !== 201) throw new Error(`arming stop ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
  const armMs = Date.now() - started;
  await waitFor(
    async () => {
      const health = await s.app.call<{ details?: { conditions?: { armed?: number } } }>('GET', '/api/health');
      return (health.body.details?.conditions?.armed ?? 0) >= n + alsoArmed;
    },
    `the engine to hold ${n} armed stops`,
    60_000,
    200,
  );
  // One more tick, so the books have observed the price above every trigger.
  await sleep(APP_TICK_MS * 2);
  return armMs;
}

async function conditionsIn(s: Stack, status: string): Promise<number> {
  const res = await s.app.call<{ total: number }>('GET', `/api/conditions?status=${status}&limit=1`);
  return res.body.total;
}

/** Waits until every fired condition ended (DONE or FAILED); when that happened and how many failed. */
async function settled(s: Stack, t0: number, n: number, timeoutMs: number): Promise<{ ms?: number; done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  const ok = await waitFor(
    async () => {
      [done, failed] = await Promise.all([conditionsIn(s, 'DONE'), conditionsIn(s, 'FAILED')]);
      return done + failed >= n;
    },
    'conditions to settle',
    timeoutMs,
    250,
  ).then(
    () => true,
    () => false,
  );
  return { ...(ok ? { ms: Date.now() - t0 } : {}), done, failed };
}

/** Runs `work` over `items`, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i]);
    }),
  );
}

/**
 * Where the time went, read back through the API once it is over: when each exit's order was
 * created (`createdAt`: checked against the exchange's rules, before its firing transaction), when
 * its condition's firing was written (condition timeline `triggered`, a sample) and when its
 * submission was marked started (order timeline `submitted`, in the firing transaction). The sends
 * leave once the tick's firing transactions have committed.
 */
async function stages(s: Stack, t0: number): Promise<string> {
  const orders: Array<{ id: string; purpose: string; createdAt: string }> = [];
  for (let offset = 0; ; offset += 500) {
    const page = await s.app.call<{ items: Array<{ id: string; purpose: string; createdAt: string }> }>(
      'GET',
      `/api/orders?accountId=${s.accountId}&symbol=${encodeURIComponent(SYMBOL)}&limit=500&offset=${offset}`,
    );
    orders.push(...page.body.items);
    if (page.body.items.length < 500) break;
  }
  const exits = orders.filter((o) => o.purpose === 'protective' && Date.parse(o.createdAt) >= t0);
  const written = exits.map((o) => Date.parse(o.createdAt) - t0);
  const submitted: number[] = [];
  await eachLimited(exits, 16, async (o) => {
    const view = await s.app.call<{ timeline?: Array<{ event: string; at: string }> }>('GET', `/api/orders/${o.id}`);
    const at = view.body.timeline?.find((t) => t.event === 'submitted')?.at;
    if (at) submitted.push(Date.parse(at) - t0);
  });
  const sample = await s.app.call<{ items: Array<{ id: string }> }>('GET', `/api/conditions?symbol=${encodeURIComponent(SYMBOL)}&limit=20`);
  const detected: number[] = [];
  await eachLimited(sample.body.items, 8, async (c) => {
    const view = await s.app.call<{ timeline: Array<{ event: string; at: string }> }>('GET', `/api/conditions/${c.id}`);
    const at = view.body.timeline.find((t) => t.event === 'triggered')?.at;
    if (at) detected.push(Date.parse(at) - t0);
  });
  const range = (values: number[]) => {
    if (values.length === 0) return 'none';
    const sorted = [...values].sort((a, b) => a - b);
    return `first ${seconds(sorted[0])}, p50 ${seconds(percentile(sorted, 50))}, last ${seconds(sorted[sorted.length - 1])}`;
  };
  return (
    `stages after the price change: exit orders created ${range(written)}; ` +
    `firings written ${range(detected)} (sample of ${detected.length}); submissions marked started ${range(submitted)}`
  );
}

function settledLine(r: { ms?: number; done: number; failed: number }, n: number): string {
  const when = r.ms === undefined ? 'not all settled in time' : `all settled ${seconds(r.ms)} after the price change`;
  return `conditions: ${count(r.done)} DONE (exit filled), ${count(r.failed)} FAILED of ${count(n)} — ${when}`;
}

/** The app's warnings and errors logged since `since` (its JSON log in DATA_DIR/logs), grouped by message shape. */
function warningsLine(s: Stack, since: number): string {
  const dir = join(s.dataDir, 'logs');
  const counts = new Map<string, number>();
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      let entry: { level?: string; message?: string; timestamp?: string; context?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // not one entry per line (a multi-line record): skipped
      }
      if ((entry.level !== 'warn' && entry.level !== 'error') || Date.parse(entry.timestamp ?? '') < since) continue;
      const shape = `${entry.level} ${entry.context ?? ''}: ${String(entry.message)
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '…')
        .replace(/td-[0-9a-f]{32}/g, '…')
        .replace(/\d+/g, 'N')
        .slice(0, 160)}`;
      counts.set(shape, (counts.get(shape) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return 'tradedesk log after the price change: no warning';
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4);
  return `tradedesk log after the price change: ${top.map(([shape, n]) => `${count(n)} × "${shape}"`).join('; ')}`;
}

function stallLine(s: Stack, since: number): string {
  const stalls = s.app.stallsSince(since);
  const long = stalls.filter((ms) => ms >= 1000);
  if (stalls.length === 0) return 'tradedesk event loop after the price change: no stall over 0.1 s';
  return `tradedesk event loop after the price change: longest stall ${seconds(Math.max(...stalls))}; ${long.length} stall(s) ≥ 1 s, ${seconds(long.reduce((a, b) => a + b, 0))} in all`;
}

function memoryLine(s: Stack): string {
  const m = memoryOf(s.app.pid);
  return `RSS: tradedesk ${m ? `${mb(m.rss)} now, ${mb(m.peak)} peak` : 'n/a'} (goal < 512 MB); emulator + bench process ${mb(process.memoryUsage().rss)}`;
}

async function raisedPart(driver: 'sqlite' | 'postgres', pg: PostgresServer | undefined): Promise<void> {
  const s = await startStack(driver, pg, RAISED_LIMITS);
  try {
    const armMs = await armStops(s, TRIGGERS);
    const bare = await baseline(s.sim, TRIGGERS);
    s.sim.sim.simulator.clearRequestCounts();
    const t0 = Date.now();
    await s.sim.setPrice('binance', SYMBOL, '40000');
    const accepted = await waitAccepted(s.sim.sim.simulator, s.apiKey, 'sell', t0, TRIGGERS, 120_000);
    const acceptedAll = accepted.length >= TRIGGERS;
    const outcome = await settled(s, t0, TRIGGERS, 120_000);
    const stageLine = await stages(s, t0);
    const rejected = s.sim.sim.simulator.store.listRejections('binance').length;
    console.log(
      `\n(a) ${count(TRIGGERS)} stop-losses on binance ${SYMBOL}, raised emulator limits, TICK_MS ${APP_TICK_MS}, ${driver} (armed through the API in ${seconds(armMs)})`,
    );
    console.log(
      acceptedAll
        ? `  price change → all ${count(TRIGGERS)} sells accepted by the emulator: ${seconds(accepted[accepted.length - 1])} (goal < 5 s)`
        : `  price change → only ${count(accepted.length)} of ${count(TRIGGERS)} sells accepted within 120 s`,
    );
    console.log(`  per order, price change → accepted: ${spread(accepted)}`);
    record({
      bench: 'triggers',
      name: `${count(TRIGGERS)} stops: all sells accepted, ${driver}`,
      value: acceptedAll ? accepted[accepted.length - 1] / 1000 : NaN,
      unit: 's',
      baseline: { name: 'bare ccxt, sent at once', value: (bare.accepted[bare.accepted.length - 1] ?? NaN) / 1000 },
      goal: '< 5 s',
      met: acceptedAll && accepted[accepted.length - 1] < 5000,
    });
    console.log(`  ${stageLine}`);
    console.log(`  ${settledLine(outcome, TRIGGERS)}`);
    console.log(
      `  baseline, same emulator: ${count(TRIGGERS)} bare ccxt createOrder sent at once from another process: ` +
        `all accepted in ${seconds(bare.accepted[bare.accepted.length - 1] ?? NaN)} (${spread(bare.accepted)}${bare.failed ? `, ${bare.failed} failed` : ''})`,
    );
    console.log(`  emulator requests after the price change: ${requestSummary(s.sim.sim.simulator)}`);
    console.log(`  emulator answers: ${s.limitAnswers.tooMany} × 429, ${s.limitAnswers.banned} × 418, ${rejected} orders rejected`);
    console.log(`  ${stallLine(s, t0)}`);
    console.log(`  ${warningsLine(s, t0)}`);
    console.log(`  ${memoryLine(s)}`);
  } finally {
    await s.close();
  }
}

async function realPart(driver: 'sqlite' | 'postgres', pg: PostgresServer | undefined): Promise<void> {
  const s = await startStack(driver, pg);
  try {
    // A canary: one stop on another market of the same account, crossed while the exits queue.
    const canarySymbol = 'ETH/USDT';
    const ethBuy = await s.app.call('POST', '/api/orders', {
      accountId: s.accountId,
      symbol: canarySymbol,
      side: 'buy',
      type: 'market',
      amount: '0.1',
    });
    if (ethBuy.status !== 201) throw new Error(`canary position: ${ethBuy.status} ${JSON.stringify(ethBuy.body)}`);
    const canary = await s.app.call<{ id: string }>('POST', '/api/conditions', {
      kind: 'stop_loss',
      accountId: s.accountId,
      symbol: canarySymbol,
      triggerPrice: '2900',
      amount: '0.05',
    });
    if (canary.status !== 201) throw new Error(`canary stop: ${canary.status} ${JSON.stringify(canary.body)}`);
    const armMs = await armStops(s, TRIGGERS, 1);
    const limits = s.sim.sim.simulator.rateLimits.binance;
    s.sim.sim.simulator.clearRequestCounts();
    const before = { ...s.limitAnswers };
    const t0 = Date.now();
    await s.sim.setPrice('binance', SYMBOL, '40000');
    // The manual burst starts once the first exit reached the emulator: both kinds then wait in the governor together.
    await waitAccepted(s.sim.sim.simulator, s.apiKey, 'sell', t0, 1, 30_000);
    const burstAt = Date.now() - t0;
    await s.sim.setPrice('binance', canarySymbol, '2800');
    const canaryCrossedAt = Date.now() - t0;
    let reading = true;
    const tickerLatencies: number[] = [];
    let tickerFailures = 0;
    const readers = Array.from({ length: 2 }, async () => {
      while (reading) {
        const started = Date.now();
        const res = await s.app.call('GET', `/api/tickers?accountId=${s.accountId}&symbols=BTC/USDT,ETH/USDT`).catch(() => ({ status: 0 }));
        if (res.status === 200) tickerLatencies.push(Date.now() - started);
        else tickerFailures++;
        await sleep(100);
      }
    });
    const manualStatuses = new Map<number, number>();
    const manual = Promise.all(
      Array.from({ length: MANUAL }, async () => {
        const res = await s.app
          .call('POST', '/api/orders', {
            accountId: s.accountId,
            symbol: SYMBOL,
            side: 'buy',
            type: 'limit',
            price: '30000',
            amount: STOP_AMOUNT,
          })
          .catch(() => ({ status: 0 }));
        manualStatuses.set(res.status, (manualStatuses.get(res.status) ?? 0) + 1);
      }),
    );
    const deadlineMs = 600_000;
    const protective = await waitAccepted(s.sim.sim.simulator, s.apiKey, 'sell', t0, TRIGGERS, deadlineMs);
    const manualAccepted = await waitAccepted(s.sim.sim.simulator, s.apiKey, 'buy', t0, MANUAL, deadlineMs);
    await manual;
    reading = false;
    await Promise.all(readers);
    const outcome = await settled(s, t0, TRIGGERS + 1, 120_000);
    const canaryExit = await waitAccepted(s.sim.sim.simulator, s.apiKey, 'sell', t0, 1, 60_000, canarySymbol);
    const canaryView = await s.app.call<{ timeline: Array<{ event: string; at: string }> }>('GET', `/api/conditions/${canary.body.id}`);
    const canaryTriggered = canaryView.body.timeline.find((t) => t.event === 'triggered');
    const lastProtective = protective[protective.length - 1] ?? NaN;
    const manualBeforeLast = manualAccepted.filter((t) => t < lastProtective).length;
    const floorMs = (Math.ceil(TRIGGERS / limits.ordersPer10s) - 1) * 10_000;
    tickerLatencies.sort((a, b) => a - b);
    console.log(
      `\n(b) ${count(TRIGGERS)} stop-losses on binance ${SYMBOL}, real emulator limits (${limits.ordersPer10s} orders/10 s, weight ${limits.requestWeightPerMinute}/min), ${driver} (armed in ${seconds(armMs)})`,
    );
    console.log(
      `  plus ${MANUAL} manual limit buys sent at once through the API at +${seconds(burstAt)} (first exit accepted) and 2 loops of ticker reads`,
    );
    console.log(
      protective.length >= TRIGGERS
        ? `  all ${count(TRIGGERS)} protective exits accepted: ${seconds(lastProtective)} (the order limit alone needs ≥ ${seconds(floorMs)})`
        : `  only ${count(protective.length)} of ${count(TRIGGERS)} protective exits accepted within ${seconds(deadlineMs)}`,
    );
    console.log(`  protective exits, price change → accepted: ${spread(protective)}`);
    record({
      bench: 'triggers',
      name: `${count(TRIGGERS)} stops at real limits: all accepted, ${driver}`,
      value: protective.length >= TRIGGERS ? lastProtective / 1000 : NaN,
      unit: 's',
      baseline: { name: 'floor of the order limit', value: floorMs / 1000 },
      goal: 'protective first',
      met: manualBeforeLast === 0 && protective.length >= TRIGGERS,
    });
    console.log(
      `  manual orders (${count(manualAccepted.length)} of ${MANUAL} accepted; HTTP ${[...manualStatuses].map(([st, n]) => `${st}×${n}`).join(' ')}): ${spread(manualAccepted)}`,
    );
    console.log(
      `  protective first: ${manualBeforeLast === 0 ? 'yes' : 'NO'} — ${manualBeforeLast} manual order(s) accepted before the last protective exit`,
    );
    console.log(
      `  ticker reads during the run: ${count(tickerLatencies.length)} ok (p50 ${tickerLatencies.length ? percentile(tickerLatencies, 50) : NaN} ms, max ${tickerLatencies[tickerLatencies.length - 1] ?? NaN} ms), ${tickerFailures} failed`,
    );
    console.log(
      `  emulator answers after the price change: ${s.limitAnswers.tooMany - before.tooMany} × 429, ${s.limitAnswers.banned - before.banned} × 418; ` +
        `${s.sim.sim.simulator.store.listRejections('binance').length} orders rejected`,
    );
    console.log(`  emulator requests after the price change: ${requestSummary(s.sim.sim.simulator)}`);
    console.log(
      `  canary stop on ${canarySymbol} (same account) crossed at +${seconds(canaryCrossedAt)}: triggered at ` +
        `${canaryTriggered ? `+${seconds(Date.parse(canaryTriggered.at) - t0)}` : 'never'}, its exit accepted at ${canaryExit.length ? `+${seconds(canaryExit[0])}` : 'never'}`,
    );
    console.log(`  ${settledLine(outcome, TRIGGERS + 1)} (with the canary)`);
    console.log(`  ${stallLine(s, t0)}`);
    console.log(`  ${warningsLine(s, t0)}`);
    console.log(`  ${memoryLine(s)}`);
  } finally {
    await s.close();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(
    `bench/triggers: ${PARTS.join(', ')}; drivers ${DRIVERS.join(', ')}; ${count(TRIGGERS)} triggers; node ${process.version}. ` +
      'Figures are noisy on a shared machine: compare with the baseline printed next to each.',
  );
  if (PARTS.includes('tick')) tickPart();
  const stackParts = PARTS.filter((p) => p === 'raised' || p === 'real');
  if (stackParts.length === 0) return;
  let pg: PostgresServer | undefined;
  if (DRIVERS.includes('postgres')) {
    pg = await PostgresServer.create();
    cleanups.push(() => pg!.destroy());
  }
  try {
    for (const part of stackParts)
      for (const driver of DRIVERS) {
        global.gc?.();
        await (part === 'raised' ? raisedPart(driver, pg) : realPart(driver, pg));
      }
  } finally {
    await cleanUp();
  }
}

if (process.argv[2] === '--baseline-client') await baselineClient(process.argv[3], Number(process.argv[4]));
else await main();
