import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TradingMetrics } from '../application/metrics/trading-metrics.js';
import { MonitoringConfig } from '../monitoring.config.js';

/**
 * METRICS_PORT: /metrics without a token on a listener of its own, bound to METRICS_HOST
 * (loopback by default), for a Prometheus on the same host or network that should not hold the
 * API token. Everything else on that port is a 404.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly metrics: TradingMetrics,
    private readonly config: MonitoringConfig,
  ) {}

  /** The port it listens on (METRICS_PORT, or the one given when it was 0 in tests). */
  port: number | undefined;

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.metricsEnabled || this.config.metricsPort === undefined) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      this.metrics.scrape().then(
        (text) => response.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (error: unknown) => {
          this.logger.warn(`metrics scrape failed: ${error instanceof Error ? error.message : String(error)}`);
          response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            error.code === 'EADDRINUSE'
              ? `METRICS_PORT ${this.config.metricsPort} on ${this.config.metricsHost} is already in use: choose another port`
              : `METRICS_PORT ${this.config.metricsPort} on ${this.config.metricsHost} cannot be opened: ${error.message}`,
          ),
        ),
      );
      server.listen(this.config.metricsPort, this.config.metricsHost, () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.config.metricsPort;
    this.logger.log(`metrics on http://${this.config.metricsHost}:${this.port}/metrics (no token)`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
