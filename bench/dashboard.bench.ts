// Figures for issue 19: the dashboard's initial JavaScript (goal < 300 kB gzipped) and the first
// paint of the overview on loopback (goal < 1 s), next to a bare page painted by the same browser
// in the same run. The built app (SQLite, sim mode) runs as its own process; Debian's Chromium,
// driven by playwright-core, opens the overview signed in (token in session storage) with a cold
// cache each run.
// Run: npm run build && node dist/bench/dashboard.bench.js
// Knobs: BENCH_RUNS (10), BENCH_APP_MAIN (dist/apps/api/src/main.js), CHROMIUM_PATH (/usr/bin/chromium).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { record } from './support/results.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = (() => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const TOKEN = 'bench-token-0123456789abcdef';
const GOAL_PAINT_MS = 1000;
const GOAL_INITIAL_JS_GZIP = 300 * 1024;

interface Asset {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** The assets index.html loads before anything runs (script, module preloads, styles) and the rest (lazy chunks). */
function bundleFigures(dir: string): { initial: Asset[]; lazy: Asset[] } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const named = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]));
  const measure = (file: string): Asset => {
    const content = readFileSync(join(dir, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  };
  const all = readdirSync(join(dir, 'assets')).map((f) => `assets/${f}`);
  return { initial: all.filter((f) => named.has(f)).map(measure), lazy: all.filter((f) => !named.has(f)).map(measure) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startApp(appMain: string, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const [port, simPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [appMain], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      SIM_PORT: String(simPort),
      DATA_DIR: dataDir,
      API_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      SIM: 'on',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${url}/api/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill();
  throw new Error('the app did not become ready within 60 s');
}

/** First contentful paint, and when the overview showed its totals (data from the API drawn), cold cache. */
async function paintOnce(browser: Browser, url: string, signedIn: boolean): Promise<{ fcp: number; ready: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (signedIn) await context.addInitScript(`sessionStorage.setItem('tradedesk.token', '${TOKEN}')`);
  const page = await context.newPage();
  await page.goto(url);
  if (signedIn) await page.getByTestId('total-krw').filter({ hasText: '₩' }).waitFor();
  const ready = await page.evaluate<number>('performance.now()');
  const fcp = await page.evaluate<number>(
    "new Promise((resolve) => new PerformanceObserver((list) => { const e = list.getEntriesByName('first-contentful-paint')[0]; if (e) resolve(e.startTime); }).observe({ type: 'paint', buffered: true }))",
  );
  await context.close();
  return { fcp, ready };
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 10);
  const appMain = process.env.BENCH_APP_MAIN ?? join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
  const dashboardDir = join(ROOT, 'dist', 'dashboard');
  if (!existsSync(join(dashboardDir, 'index.html'))) throw new Error('no dist/dashboard: run npm run build first');

  const { initial, lazy } = bundleFigures(dashboardDir);
  const sum = (assets: Asset[], ext: string, key: 'bytes' | 'gzipBytes') =>
    assets.filter((a) => a.file.endsWith(ext)).reduce((s, a) => s + a[key], 0);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  console.log('dashboard bundle (gzip -9):');
  for (const a of [...initial, ...lazy])
    console.log(`  ${initial.includes(a) ? 'initial' : 'lazy   '} ${a.file}: ${kb(a.bytes)} raw, ${kb(a.gzipBytes)} gzipped`);
  const initialJs = sum(initial, '.js', 'gzipBytes');
  console.log(
    `  initial JS ${kb(initialJs)} gzipped (goal < ${kb(GOAL_INITIAL_JS_GZIP)}): ${initialJs < GOAL_INITIAL_JS_GZIP ? 'met' : 'NOT met'}; initial CSS ${kb(sum(initial, '.css', 'gzipBytes'))} gzipped`,
  );

  // The baseline: a bare HTML page from a bare node:http server, painted by the same browser.
  const bare = createServer((_req, res) => res.end('<!doctype html><html lang="en"><title>bare</title><h1>bare page</h1></html>'));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tradedesk-bench-dashboard-'));
  const app = await startApp(appMain, dataDir);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    await paintOnce(browser, `${app.url}/`, true); // warms the app's caches (tickers, balances), not the browser's
    const baseline: number[] = [];
    const fcp: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < runs; i++) {
      baseline.push((await paintOnce(browser, bareUrl, false)).fcp);
      const run = await paintOnce(browser, `${app.url}/`, true);
      fcp.push(run.fcp);
      ready.push(run.ready);
    }
    const line = (name: string, values: number[]) =>
      `  ${name.padEnd(34)} p50 ${percentile(values, 50).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
    console.log(`overview on loopback, cold browser cache, ${runs} runs:`);
    console.log(line('bare page first paint (baseline)', baseline));
    console.log(line('overview first contentful paint', fcp));
    console.log(line('overview totals drawn (API data)', ready));
    console.log(`  first paint goal < ${GOAL_PAINT_MS} ms: ${percentile(fcp, 50) < GOAL_PAINT_MS ? 'met' : 'NOT met'} (p50)`);
    record(
      {
        bench: 'dashboard',
        name: 'initial JS, gzipped',
        value: initialJs / 1024,
        unit: 'kB',
        goal: `< ${GOAL_INITIAL_JS_GZIP / 1024} kB`,
        met: initialJs < GOAL_INITIAL_JS_GZIP,
      },
      {
        bench: 'dashboard',
        name: 'overview first paint p50',
        value: percentile(fcp, 50),
        unit: 'ms',
        baseline: { name: 'bare page', value: percentile(baseline, 50) },
        goal: `< ${GOAL_PAINT_MS} ms`,
        met: percentile(fcp, 50) < GOAL_PAINT_MS,
      },
    );
  } finally {
    await browser.close();
    app.child.kill();
    bare.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
