import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from './free-port.js';

interface ScrapeConfig {
  static_configs?: Array<{ targets: string[] }>;
  [key: string]: unknown;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs?: ScrapeConfig[];
}

/** One series of an instant query's answer. */
export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Debian's `prometheus` on a loopback port with a temporary database, started from a config file
 * (deploy/prometheus/prometheus.yml) whose rule files are copied beside it, with its scrape
 * targets pointed at the test's and its scrape interval shortened so a test waits seconds.
 */
export class PrometheusServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly process: ChildProcess,
  ) {}

  static async start(configFile: string, targets: string[], scrapeInterval = '1s'): Promise<PrometheusServer> {
    const config = parse(await readFile(configFile, 'utf8')) as PrometheusConfig;
    const dir = join(tmpdir(), `tradedesk-prometheus-${process.pid}-${Date.now()}`);
    await mkdir(join(dir, 'data'), { recursive: true });
    for (const rules of config.rule_files ?? []) await copyFile(join(dirname(configFile), rules), join(dir, basename(rules)));
    config.rule_files = (config.rule_files ?? []).map((rules) => basename(rules));
    config.global = { ...config.global, scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval };
    for (const job of config.scrape_configs ?? []) job.static_configs = [{ targets }];
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', (e) => (stderr += String(e)));
    const server = new PrometheusServer(port, dir, child);
    await waitFor(async () => {
      if (child.exitCode !== null || /ENOENT/.test(stderr)) throw new Error(`prometheus did not start: ${stderr || 'exited'}`);
      const ready = await fetch(`${server.url}/-/ready`).catch(() => undefined);
      return ready?.ok === true;
    }, `Prometheus on port ${port}`);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** An instant query through the HTTP API (/api/v1/query). */
  async query(promql: string): Promise<PromSeries[]> {
    const response = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSeries[] } };
    if (body.status !== 'success' || !body.data) throw new Error(`query ${promql} failed: ${body.error ?? response.status}`);
    return body.data.result;
  }

  /** GET /api/v1/<path> (targets, rules): its `data`. */
  async api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`${this.url}/api/v1/${path}`)).json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`GET /api/v1/${path}: ${JSON.stringify(body)}`);
    return body.data;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
      this.process.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
