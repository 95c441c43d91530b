// Figures for issue 15: does a down or slow SMTP server slow trading? Two instances of the built app
// (SQLite each, sim mode against one in-process emulator) run side by side in one run: one with a
// healthy SMTP server (smtp-server, accepting every message), one with a blackholed one (accepts the
// connection and never says a word); they take orders in turn, so the machine's other load falls on
// both alike. For each BENCH_ORDERS market orders (alternating buy and sell 0.001 BTC
// on the Binance sim account) are placed one after another, every fill making an email delivery
// (the order.filled rule is set to email `on`); the latency of POST /api/orders is printed for both
// phases next to each other, with the deliveries sent/pending and how long the app took to stop.
// Goal (issue 15): no measurable difference.
// Run: npm run build && node dist/bench/notifications.bench.js
// Knobs: BENCH_ORDERS (200), BENCH_WARMUP (20), BENCH_APP_MAIN (dist/apps/api/src/main.js), BENCH_KEEP (keep data dirs and logs).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startExchangeSim } from '@tradedesk/exchange-sim';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { SMTPServer } from 'smtp-server';
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
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const APP_MAIN = process.env.BENCH_APP_MAIN ?? join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

interface PhaseResult {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  emailsAccepted: number;
  deliveries: Record<string, number>;
  stopMs: number;
}

async function healthySmtp(): Promise<{ port: number; accepted: () => number; close(): Promise<void> }> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = (server as unknown as { server: Server }).server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    accepted: () => accepted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function blackholeSmtp(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

interface RunningPhase {
  name: string;
  child: ChildProcess;
  url: string;
  accountId: string;
  dataDir: string;
  latencies: number[];
  emailsAccepted: () => number;
}

async function startPhase(name: string, simUrl: string, smtpPort: number, emailsAccepted: () => number): Promise<RunningPhase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'td-bench-notify-'));
  const { child, url } = await startApp({
    DATA_DIR: dataDir,
    API_TOKEN: TOKEN,
    MASTER_KEY: '00'.repeat(32),
    SIM: 'on',
    SIM_URL: simUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    NOTIFY_EMAIL_TO: 'trader@example.com',
    NOTIFY_SEND_TIMEOUT_MS: '15000',
  });
  const accounts = (await api<Array<{ id: string; exchange: string }>>(`${url}/api/accounts`)).body;
  const accountId = accounts.find((a) => a.exchange === 'binance')!.id;
  const rules = await api(`${url}/api/notifications/rules`, 'PUT', { rules: [{ type: 'order.filled', channels: { email: 'on' } }] });
  if (rules.status !== 200) throw new Error(`rules: ${JSON.stringify(rules.body)}`);
  return { name, child, url, accountId, dataDir, latencies: [], emailsAccepted };
}

async function placeOrder(p: RunningPhase, i: number): Promise<number> {
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

async function finishPhase(p: RunningPhase): Promise<PhaseResult> {
  try {
    const deliveries: Record<string, number> = {};
    for (const status of ['pending', 'sent', 'dead'])
      deliveries[status] = (await api<{ total: number }>(`${p.url}/api/notifications/deliveries?status=${status}&limit=1`)).body.total;
    const sorted = [...p.latencies].sort((a, b) => a - b);
    const stopStarted = Date.now();
    p.child.kill('SIGTERM');
    await new Promise((resolve) => p.child.once('exit', resolve));
    return {
      name: p.name,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1],
      mean: p.latencies.reduce((a, b) => a + b, 0) / p.latencies.length,
      emailsAccepted: p.emailsAccepted(),
      deliveries,
      stopMs: Date.now() - stopStarted,
    };
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (process.env.BENCH_KEEP) console.log(`${p.name}: data and logs kept in ${p.dataDir}`);
    else rmSync(p.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const simDir = mkdtempSync(join(tmpdir(), 'td-bench-notify-sim-'));
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
  const healthy = await healthySmtp();
  const hole = await blackholeSmtp();
  try {
    // Both apps run at once and take orders in turn: whatever else the machine does falls on both alike.
    const phases = [
      await startPhase('SMTP healthy', sim.url, healthy.port, healthy.accepted),
      await startPhase('SMTP blackholed', sim.url, hole.port, () => 0),
    ];
    for (let i = 0; i < WARMUP + ORDERS; i++)
      for (const p of i % 2 === 0 ? phases : [...phases].reverse()) {
        const elapsed = await placeOrder(p, i);
        if (i >= WARMUP) p.latencies.push(elapsed);
        if (elapsed > 1000) console.log(`${p.name}: order ${i} took ${elapsed.toFixed(0)} ms (answered ${new Date().toISOString()})`);
      }
    const results: PhaseResult[] = [];
    for (const p of phases) results.push(await finishPhase(p));
    const f = (n: number) => `${n.toFixed(1)} ms`.padStart(9);
    console.log(`\nPOST /api/orders latency, ${ORDERS} market orders per phase (after ${WARMUP} warm-up), each fill an email delivery\n`);
    console.log(
      'phase            |      p50 |      p90 |      p99 |      max |     mean | emails accepted | deliveries (pending/sent/dead) | stop',
    );
    for (const r of results)
      console.log(
        `${r.name.padEnd(16)} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.mean)} | ${String(r.emailsAccepted).padStart(15)} | ${`${r.deliveries.pending}/${r.deliveries.sent}/${r.deliveries.dead}`.padStart(30)} | ${r.stopMs} ms`,
      );
    console.log(`blackhole connections opened: ${hole.connections()}`);
    const [ok, dead] = results;
    record(
      {
        bench: 'notifications',
        name: 'POST /api/orders p50, SMTP blackholed',
        value: dead.p50,
        unit: 'ms',
        baseline: { name: 'SMTP healthy', value: ok.p50 },
        goal: '≤ 1.2 × healthy',
        met: dead.p50 <= ok.p50 * 1.2,
      },
      {
        bench: 'notifications',
        name: 'POST /api/orders p99, SMTP blackholed',
        value: dead.p99,
        unit: 'ms',
        baseline: { name: 'SMTP healthy', value: ok.p99 },
      },
    );
  } finally {
    await healthy.close();
    await hole.close();
    await sim.close();
    rmSync(simDir, { recursive: true, force: true });
  }
}

await main();
