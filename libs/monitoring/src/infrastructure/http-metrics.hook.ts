import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TradingMetrics } from '../application/metrics/trading-metrics.js';
import { MonitoringConfig } from '../monitoring.config.js';

/**
 * Times every HTTP answer from Fastify's own hooks: by the matched route's template
 * (`/api/orders/:id`), never the raw URL, so requests to any number of unknown paths are one
 * series (`unmatched`). Requests slower than LOG_SLOW_REQUEST_MS are logged for the log summary.
 */
@Injectable()
export class HttpMetricsHook {
  private readonly logger = new Logger('HttpRequests');

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly metrics: TradingMetrics,
    private readonly config: MonitoringConfig,
  ) {}

  /** Must run before the routes are registered (the module's configure step). */
  install(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => this.answered(request, reply));
  }

  private answered(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    const ms = reply.elapsedTime;
    if (this.config.metricsEnabled) this.metrics.httpRequest(request.method, route, reply.statusCode, ms / 1000);
    if (ms >= this.config.slowRequestMs)
      this.logger.log({
        message: `slow request: ${request.method} ${route ?? 'unmatched route'} answered ${reply.statusCode} in ${Math.round(ms)} ms`,
        method: request.method,
        route: route ?? null,
        status: reply.statusCode,
        durationMs: Math.round(ms),
        correlationId: request.id,
      });
  }
}
