// A small HTTP load generator for the benches: `connections` keep-alive connections, each sending
// its next request as soon as the previous answer arrived, for a fixed duration (closed loop); or,
// with `ratePerSecond`, requests sent on a fixed schedule whatever the answers do (open loop), each
// timed from when it was due, so a slow answer that holds the next request back is counted too.
// node:http only, so every bench (and its baselines) is measured by the same client.
import { Agent, request } from 'node:http';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadAnswer {
  status: number;
  body: string;
}

export interface LoadResult {
  /** Requests answered (any status) within the duration. */
  count: number;
  /** Answers with a status outside 2xx, and connection errors. */
  errors: number;
  statuses: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  durationMs: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** The i-th request (i counts up across all connections). */
  next: (i: number) => LoadRequest;
  /** Sees every answer (e.g. to collect the ids of accepted orders). */
  onAnswer?: (req: LoadRequest, answer: LoadAnswer, i: number) => void;
  /** Requests sent first and not counted (JIT, connection set-up, first-use caches). */
  warmup?: number;
  /** Open loop: this many requests a second on schedule (at most `connections` in flight; the rest queue, timed). */
  ratePerSecond?: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function send(agent: Agent, base: URL, req: LoadRequest): Promise<LoadAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const r = request(new URL(req.path, base), { agent, method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    r.on('error', (e) => resolve({ status: 0, body: String(e) }));
    r.end(req.body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const base = new URL(options.url);
  let i = 0;
  try {
    const warm = options.warmup ?? 0;
    for (let w = 0; w < warm; w += options.connections) {
      await Promise.all(
        Array.from({ length: Math.min(options.connections, warm - w) }, async () => {
          const n = i++;
          const req = options.next(n);
          options.onAnswer?.(req, await send(agent, base, req), n);
        }),
      );
    }
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    const exchange = async (since: number): Promise<void> => {
      const n = i++;
      const req = options.next(n);
      const answer = await send(agent, base, req);
      latencies.push(performance.now() - since);
      statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
      if (answer.status < 200 || answer.status >= 300) errors++;
      options.onAnswer?.(req, answer, n);
    };
    const started = performance.now();
    const end = Date.now() + options.durationMs;
    if (options.ratePerSecond) {
      const interval = 1000 / options.ratePerSecond;
      const inFlight: Array<Promise<void>> = [];
      for (let n = 0; ; n++) {
        const due = started + n * interval;
        if (due - started >= options.durationMs) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(exchange(due));
      }
      await Promise.all(inFlight);
    } else {
      await Promise.all(
        Array.from({ length: options.connections }, async () => {
          while (Date.now() < end) await exchange(performance.now());
        }),
      );
    }
    const durationMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    return {
      count: latencies.length,
      errors,
      statuses,
      perSecond: latencies.length / (durationMs / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      durationMs,
    };
  } finally {
    agent.destroy();
  }
}
