// Figures for issue 12: does a flood of large, deeply nested bodies without a token stall the API?
// The built app (SQLite, emulator off) runs as its own process. Twenty clients (BENCH_CLIENTS), in a
// process of their own, each send 1 MiB JSON bodies nested as deep as they go ("[[[[…]]]]", BENCH_BODY_BYTES)
// to POST /api/orders without an Authorization header, in a loop. Meanwhile GET /api/health/live is
// probed one request at a time every BENCH_PROBE_MS: its p50/p99/max are printed next to the same
// probe without the attack, measured first in the same run, with the app's RSS in both phases.
// Goal (issue 12): probe p99 under 50 ms during the attack.
// Run: npm run build && node dist/bench/hostile-bodies.bench.js
//  or: npm run build && node --import ./apps/exchange-sim/src/testing/ts-register.mjs bench/hostile-bodies.bench.ts
// Knobs: BENCH_MS (each phase, 10000), BENCH_CLIENTS (20), BENCH_BODY_BYTES (1048576), BENCH_PROBE_MS (10),
// BENCH_APP_MAIN (the built entry point, dist/apps/api/src/main.js).
// Imports only node: modules and ./support/results (node: only too), so it runs from its TypeScript source as well as from dist/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { record } from './support/results.js';

export interface HostileBodiesOptions {
  phaseMs: number;
  clients: number;
  bodyBytes: number;
  probeEveryMs: number;
  appMain: string;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Probes that got anything but 200. */
  failed: number;
}

export interface HostileBodiesResult {
  baseline: LatencySummary;
  attack: LatencySummary;
  /** Attack requests answered, by status ("reset" for a connection closed under the sender). */
  attackAnswers: Record<string, number>;
  attackRequestsPerSecond: number;
  /** Body bytes the attackers handed to their sockets per second; the server reads only what it must. */
  attackMegabytesPerSecond: number;
  rss: { baseline: number; attack: number; peak: number };
  goalMet: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: the first parent holding a package.json (bench/ or dist/bench/). */
const ROOT = (() => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const TOKEN = 'bench-token-0123456789abcdef';
const GOAL_P99_MS = 50;

export function optionsFromEnv(env: Record<string, string | undefined> = process.env): HostileBodiesOptions {
  return {
    phaseMs: Number(env.BENCH_MS ?? 10_000),
    clients: Number(env.BENCH_CLIENTS ?? 20),
    bodyBytes: Number(env.BENCH_BODY_BYTES ?? 1024 * 1024),
    probeEveryMs: Number(env.BENCH_PROBE_MS ?? 10),
    appMain: env.BENCH_APP_MAIN ?? join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function summarize(latencies: number[], failed: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, failed };
}

/** Resident and peak resident memory of another process (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The body: `[` × n then `]` × n, exactly `bytes` long — as deep as a body of that size can be. */
export function deepBody(bytes: number): Buffer {
  const depth = Math.floor(bytes / 2);
  return Buffer.from('['.repeat(depth) + ']'.repeat(depth) + (bytes % 2 ? ' ' : ''));
}

async function startApp(appMain: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(appMain)) throw new Error(`${appMain} is missing: run npm run build first`);
  const child = spawn(process.execPath, [appMain], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      API_TOKEN: TOKEN,
      MASTER_KEY: '00'.repeat(32),
      SIM: 'off',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not listen within 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      const match = /tradedesk listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code}) before listening: ${err}`));
    });
  });
  // Keep draining its output so a full pipe never blocks it.
  child.stdout.resume();
  return { child, url };
}

/** GET /api/health/live, one at a time every `everyMs`, on one kept-alive connection, until `stop`. */
async function probe(url: string, everyMs: number, stop: () => boolean): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const target = new URL('/api/health/live', url);
  while (!stop()) {
    const started = process.hrtime.bigint();
    const status = await new Promise<number>((resolve) => {
      const req = request(target, { agent, method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (status === 200) latencies.push(elapsed);
    else failed++;
    await sleep(Math.max(0, everyMs - elapsed));
  }
  agent.destroy();
  return summarize(latencies, failed);
}

/**
 * The attackers (run in their own process: `--attack <url> <clients> <bytes> <ms>`): `clients`
 * loops, each POSTing the deep body without a token as fast as the server answers. Prints a JSON
 * line with the answers by status and the bytes sent.
 */
async function attack(url: string, clients: number, bytes: number, durationMs: number): Promise<void> {
  const body = deepBody(bytes);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const answers: Record<string, number> = {};
  let sent = 0;
  const end = Date.now() + durationMs;
  const target = new URL('/api/orders', url);
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(
        target,
        { agent, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            answers[String(res.statusCode)] = (answers[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        answers.reset = (answers.reset ?? 0) + 1;
        resolve();
      });
      req.end(body, () => (sent += body.length));
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) await once();
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ answers, sent, durationMs })}\n`);
}

function startAttackers(
  url: string,
  options: HostileBodiesOptions,
  durationMs: number,
): Promise<{ answers: Record<string, number>; sent: number; durationMs: number }> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--attack',
      url,
      String(options.clients),
      String(options.bodyBytes),
      String(durationMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`the attack process exited with ${code}`));
      else resolve(JSON.parse(line));
    });
  });
}

export async function runHostileBodiesBench(options: HostileBodiesOptions = optionsFromEnv()): Promise<HostileBodiesResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradedesk-hostile-bench-'));
  const { child, url } = await startApp(options.appMain, dataDir);
  try {
    // Warm-up: the first requests pay for lazy compilation, not for the attack.
    await probe(
      url,
      0,
      (
        (n) => () =>
          n-- <= 0
      )(200),
    );
    let until = Date.now() + options.phaseMs;
    const baseline = await probe(url, options.probeEveryMs, () => Date.now() >= until);
    const baselineRss = memoryOf(child.pid!).rss;

    // The attackers run 1 s longer on each side, so every probe of the attack phase meets a full attack.
    const attackers = startAttackers(url, options, options.phaseMs + 2000);
    await sleep(1000);
    until = Date.now() + options.phaseMs;
    let attackRss = 0;
    const sampler = setInterval(() => (attackRss = Math.max(attackRss, memoryOf(child.pid!).rss)), 100);
    const underAttack = await probe(url, options.probeEveryMs, () => Date.now() >= until);
    clearInterval(sampler);
    const flood = await attackers;
    const peak = memoryOf(child.pid!).peak;
    const answered = Object.entries(flood.answers).reduce((sum, [, n]) => sum + n, 0);
    return {
      baseline,
      attack: underAttack,
      attackAnswers: flood.answers,
      attackRequestsPerSecond: answered / (flood.durationMs / 1000),
      attackMegabytesPerSecond: flood.sent / 1024 / 1024 / (flood.durationMs / 1000),
      rss: { baseline: baselineRss, attack: attackRss, peak },
      goalMet: underAttack.p99 < GOAL_P99_MS && underAttack.failed === 0,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function report(options: HostileBodiesOptions, result: HostileBodiesResult): string {
  const line = (name: string, s: LatencySummary) =>
    `  ${name.padEnd(34)} p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.count} probes${s.failed ? `, ${s.failed} FAILED` : ''})`;
  return [
    `bench/hostile-bodies: built app on SQLite; ${options.clients} clients × ${(options.bodyBytes / 1024 / 1024).toFixed(2)} MiB ` +
      `nested JSON without a token to POST /api/orders; GET /api/health/live probed every ${options.probeEveryMs} ms for ${options.phaseMs / 1000} s per phase; node ${process.version}`,
    line('health/live, no attack (baseline)', result.baseline),
    line('health/live, under attack', result.attack),
    `  attack: ${result.attackRequestsPerSecond.toFixed(0)} requests/s answered (${Object.entries(result.attackAnswers)
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ')}), ${result.attackMegabytesPerSecond.toFixed(0)} MB/s of body offered`,
    `  app RSS: ${mb(result.rss.baseline)} before, ${mb(result.rss.attack)} at most under attack, peak ${mb(result.rss.peak)}`,
    `  goal p99 < ${GOAL_P99_MS} ms under attack: ${result.goalMet ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--attack') {
    await attack(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
  } else {
    const options = optionsFromEnv();
    const result = await runHostileBodiesBench(options);
    console.log(report(options, result));
    record({
      bench: 'hostile-bodies',
      name: 'GET /api/health/live p99 under attack',
      value: result.attack.p99,
      unit: 'ms',
      baseline: { name: 'no attack', value: result.baseline.p99 },
      goal: `< ${GOAL_P99_MS} ms`,
      met: result.goalMet,
    });
  }
}
