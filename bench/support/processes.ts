// Processes of a bench: tradedesk's built entry point and the standalone emulator, each in its own
// process, with what a bench reads of them (ready URL, RSS, CPU time, event-loop stalls).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tradedesk/testing';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository (the app's working directory, as `npm start` has it): the first parent holding a package.json. */
export const ROOT = repositoryOf(here);
function repositoryOf(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
/** dist/, where this file was built to (bench/support → ../..). */
const DIST = join(here, '..', '..');
/** The app under test: this build's, or BENCH_APP_MAIN (another build, e.g. of main, to compare in one run). */
export const APP_MAIN = process.env.BENCH_APP_MAIN ?? join(DIST, 'apps', 'api', 'src', 'main.js');
/** The app runs from its own repository, as `npm start` has it. */
const APP_ROOT = repositoryOf(dirname(APP_MAIN));
export const SIM_MAIN = join(DIST, 'apps', 'exchange-sim', 'src', 'main.js');
export const LOOP_STALLS = join(here, 'loop-stalls.js');
export const COUNT_STATEMENTS = join(here, 'count-statements.js');
export const BARE_NEST = join(here, 'bare-nest.js');
export const BARE_DURABLE = join(here, 'bare-durable.js');

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';
const MASTER_KEY = '00'.repeat(32);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the last failed check said, for a time-out's message. */
function reasonOf(error: unknown): string {
  if (error === undefined) return '';
  return `: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
}

/** Polls `check` until it answers true or the deadline passes. */
export async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
      if (error instanceof FatalPoll) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reasonOf(last)}`);
    await sleep(everyMs);
  }
}

/** Thrown from a poll to stop polling at once (the process it waits for died). */
export class FatalPoll extends Error {}

/** Resident and peak resident memory of a process (Linux /proc), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc, 100 ticks per second). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every 100 ms while running: the largest seen. */
export function rssSampler(pid: number): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, memoryOf(pid)?.rss ?? 0)), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, memoryOf(pid)?.rss ?? 0);
    },
  };
}

class Child {
  protected err = '';
  readonly exit: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => (this.err = (this.err + d.toString()).slice(-8000)));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exit;
    clearTimeout(timer);
  }
}

/** Waits for a line of a child's stdout that matches; its first group. */
function readyLine(child: ChildProcess, pattern: RegExp, what: string, err: () => string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms: ${err()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${err()}`));
    });
  });
}

/** The exchange emulator as `npm run sim` runs it, in its own process, manual price feed. */
export class SimProcess extends Child {
  private constructor(
    child: ChildProcess,
    readonly url: string,
  ) {
    super(child);
  }

  static async start(dataDir: string): Promise<SimProcess> {
    const child = spawn(process.execPath, [SIM_MAIN], {
      env: { PATH: process.env.PATH ?? '', SIM_PORT: '0', DATA_DIR: dataDir, SIM_FEED: 'manual', SIM_TICK_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await readyLine(child, /ready: binance (http:\/\/[\d.:]+)\/binance/, 'the emulator', () => err);
    return new SimProcess(child, url);
  }

  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
}

/**
 * A baseline server of a bench in its own process, ready once it prints "<name> listening <url>":
 * the bare NestJS app (bench/support/bare-nest) or the bare durable order route (bench/support/bare-durable).
 */
export class BaselineProcess extends Child {
  private constructor(
    child: ChildProcess,
    readonly url: string,
  ) {
    super(child);
  }

  /** The bare NestJS app: one route on tradedesk's HTTP adapter. */
  static bareNest(): Promise<BaselineProcess> {
    return BaselineProcess.start(BARE_NEST, [], 'bare-nest', 'the bare NestJS app');
  }

  /** The bare durable order route: fastify + ccxt + one committed INSERT and UPDATE per order. */
  static bareDurable(database: string, simUrl: string, apiKey: string, secret: string): Promise<BaselineProcess> {
    return BaselineProcess.start(BARE_DURABLE, [database, simUrl, apiKey, secret], 'bare-durable', 'the bare durable order route');
  }

  private static async start(script: string, args: string[], name: string, what: string): Promise<BaselineProcess> {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const url = await readyLine(child, new RegExp(`${name} listening (http:\\/\\/[\\d.:[\\]]+)`), what, () => err);
    return new BaselineProcess(child, url);
  }
}

/** tradedesk's built entry point in its own process, as `npm start` runs it, with the loop-stall recorder preloaded. */
export class AppProcess extends Child {
  private constructor(
    child: ChildProcess,
    readonly url: string,
    private readonly stallsFile: string,
    private readonly statementsFile: string,
  ) {
    super(child);
  }

  /** SQL statements sent so far by shape (with BENCH_COUNT_STATEMENTS=1; empty otherwise). */
  statements(): Record<string, number> {
    try {
      return JSON.parse(readFileSync(this.statementsFile, 'utf8')) as Record<string, number>;
    } catch {
      return {};
    }
  }

  static async start(dataDir: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<AppProcess> {
    const stallsFile = join(dataDir, 'loop-stalls.json');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const statementsFile = join(dataDir, 'statements.json');
    const counting = process.env.BENCH_COUNT_STATEMENTS === '1' ? [`--import=${COUNT_STATEMENTS}`] : [];
    const child = spawn(process.execPath, [`--import=${LOOP_STALLS}`, ...counting, ...nodeArgs, APP_MAIN], {
      cwd: APP_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        API_TOKEN: BENCH_TOKEN,
        MASTER_KEY,
        LOG_LEVEL: 'warn',
        THROTTLE_PER_MINUTE: '10000000',
        DATA_DIR: dataDir,
        BENCH_LOOP_STALLS_FILE: stallsFile,
        BENCH_STATEMENTS_FILE: statementsFile,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    const app = new AppProcess(child, url, stallsFile, statementsFile);
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new FatalPoll(`tradedesk exited (${child.exitCode}): ${err}`);
        return (await fetch(`${url}/api/health/ready`)).status === 200;
      },
      'tradedesk to be ready',
      120_000,
    );
    return app;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${BENCH_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The app's event-loop stalls (> 100 ms) that began at or after `since` (bench/support/loop-stalls). */
  stallsSince(since: number): number[] {
    try {
      const stalls = JSON.parse(readFileSync(this.stallsFile, 'utf8')) as Array<[number, number]>;
      return stalls.filter(([at]) => at >= since).map(([, ms]) => ms);
    } catch {
      return [];
    }
  }

  memory(): { rss: number; peak: number } | undefined {
    return memoryOf(this.pid);
  }
}
