import { Controller, Get, Header, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { NotFoundError } from '@tradedesk/shared';
import { TradingMetrics } from '../../application/metrics/trading-metrics.js';
import { MonitoringConfig } from '../../monitoring.config.js';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/** GET /metrics (outside /api: where Prometheus looks by default), with the bearer token. */
@ApiTags('monitoring')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: TradingMetrics,
    private readonly config: MonitoringConfig,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text format 0.0.4), every name prefixed tradedesk_',
    description:
      'Orders, exchange requests and errors, the stop trigger-to-acknowledgement latency, ticks, armed conditions, unprotected ' +
      'positions, rate-governor lanes, outbox lag and dead letters, cache, notification deliveries, event-loop lag, heap and ' +
      'process figures. With METRICS_PORT set, the same text is served without a token on METRICS_HOST (loopback by default). ' +
      'See docs/monitoring.md for every metric.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics', schema: { type: 'string', example: 'tradedesk_orders_total{exchange="binance",...} 3' } })
  @ApiNotFoundResponse({ description: 'METRICS=off' })
  async scrape(@Res({ passthrough: true }) reply: ReplyLike): Promise<string> {
    if (!this.config.metricsEnabled) throw new NotFoundError('METRICS.DISABLED', 'Metrics are off (METRICS=off)');
    reply.header('content-type', this.metrics.contentType);
    return this.metrics.scrape();
  }
}
