// `npm run bench`: every benchmark in one go, one after another (each in its own process, its own
// output streamed as it runs), then one table of the figures each recorded (bench/support/results)
// and bench/results/latest.json with the machine they came from. Figures are compared with the
// baseline of the same run, never across runs: the machine is shared and noisy.
// Run: npm run bench   (builds first; BENCH_ONLY=orders,triggers,… runs a subset; each bench's own
// knobs pass through, e.g. BENCH_MS).
import { spawn } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem, type as osType, release } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './support/results.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = (() => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

interface Bench {
  name: string;
  file: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}

const BENCHES: Bench[] = [
  { name: 'orders', file: 'orders.bench.js', env: { BENCH_PARTS: 'orders,positions' } },
  { name: 'http', file: 'orders.bench.js', env: { BENCH_PARTS: 'http', BENCH_DRIVERS: 'sqlite' } },
  { name: 'triggers', file: 'triggers.bench.js', nodeArgs: ['--expose-gc'] },
  { name: 'exchange-sim', file: 'exchange-sim.bench.js', nodeArgs: ['--expose-gc'] },
  { name: 'hostile-bodies', file: 'hostile-bodies.bench.js' },
  { name: 'notifications', file: 'notifications.bench.js' },
  { name: 'metrics', file: 'metrics.bench.js' },
  { name: 'dashboard', file: 'dashboard.bench.js' },
];

function run(bench: Bench, resultsFile: string): Promise<number | null> {
  const child = spawn(process.execPath, [...(bench.nodeArgs ?? []), join(here, bench.file)], {
    cwd: ROOT,
    env: { ...process.env, ...bench.env, BENCH_RESULTS_FILE: resultsFile },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', resolve));
}

const number = (v: number, unit: string): string => {
  if (!Number.isFinite(v)) return 'n/a';
  const digits = unit === 's' || unit === 'ms' ? (Math.abs(v) < 10 ? 2 : 1) : Math.abs(v) < 10 ? 2 : 0;
  return `${v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit && unit !== '/s' ? ` ${unit}` : unit}`;
};

export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.bench,
    f.name,
    number(f.value, f.unit),
    f.baseline ? `${number(f.baseline.value, f.unit)} (${f.baseline.name})` : '',
    f.baseline && f.baseline.value ? `${(f.value / f.baseline.value).toFixed(2)}×` : '',
    f.goal ? `${f.goal}: ${f.met ? 'met' : 'NOT met'}` : '',
  ]);
  const head = ['bench', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const work = mkdtempSync(join(tmpdir(), 'td-bench-all-'));
  const resultsFile = join(work, 'figures.jsonl');
  writeFileSync(resultsFile, '');
  const startedAt = new Date();
  const failed: string[] = [];
  for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) {
    console.log(`\n===== ${bench.name} (${bench.file}${bench.env ? ` ${JSON.stringify(bench.env)}` : ''})`);
    const code = await run(bench, resultsFile);
    if (code !== 0) failed.push(`${bench.name} (exit ${code})`);
  }
  const figures = readFileSync(resultsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Figure);
  rmSync(work, { recursive: true, force: true });
  const cpu = cpus();
  const machine = {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    freeMemoryGiB: Math.round(freemem() / 1024 ** 3),
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  const result = {
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine,
    failed,
    figures,
  };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\n===== all figures (${startedAt.toISOString()}, ${result.durationS} s; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}; load average at the end ${machine.loadAverageAtEnd.join(' ')})`,
  );
  console.log(table(figures));
  console.log(`\nwritten to bench/results/latest.json${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`);
  if (failed.length) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
