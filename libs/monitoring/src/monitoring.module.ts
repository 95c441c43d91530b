import { type NestModule, Module, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MetricsPort } from '@tradedesk/shared';
import { SetLogLevelHandler } from './application/commands/set-log-level.command.js';
import { ErrorMonitor } from './application/errors/error-monitor.js';
import { CountOrdersWhenOrdersChangeHandler } from './application/event-handlers/count-orders-when-orders-change.handler.js';
import { TimeStopsWhenConditionsTriggerHandler } from './application/event-handlers/time-stops-when-conditions-trigger.handler.js';
import { Liveness } from './application/metrics/liveness.js';
import { ScrapeCollectors } from './application/metrics/scrape-collectors.js';
import { StopLatency } from './application/metrics/stop-latency.js';
import { TradingMetrics } from './application/metrics/trading-metrics.js';
import { ListErrorsHandler } from './application/queries/list-errors.query.js';
import { SearchLogsHandler } from './application/queries/search-logs.query.js';
import { SummarizeLogsHandler } from './application/queries/summarize-logs.query.js';
import { HttpMetricsHook } from './infrastructure/http-metrics.hook.js';
import { MetricsListener } from './infrastructure/metrics-listener.js';
import { MonitoringHealthContributor } from './infrastructure/monitoring-health.contributor.js';
import { OutboxBacklog } from './infrastructure/outbox-backlog.js';
import { ErrorsController } from './interface/http/errors.controller.js';
import { LogsController } from './interface/http/logs.controller.js';
import { MetricsController } from './interface/http/metrics.controller.js';
import { MonitoringConfig } from './monitoring.config.js';

const CommandHandlers = [SetLogLevelHandler];
const QueryHandlers = [ListErrorsHandler, SearchLogsHandler, SummarizeLogsHandler];
const EventHandlers = [CountOrdersWhenOrdersChangeHandler, TimeStopsWhenConditionsTriggerHandler];

/** Monitoring: Prometheus metrics, error-log monitoring with spike alerts, log analysis, and its lines of /api/health. */
@Module({
  controllers: [MetricsController, ErrorsController, LogsController],
  providers: [
    TradingMetrics,
    Liveness,
    StopLatency,
    ScrapeCollectors,
    OutboxBacklog,
    ErrorMonitor,
    HttpMetricsHook,
    MetricsListener,
    MonitoringHealthContributor,
    ...CommandHandlers,
    ...QueryHandlers,
    ...EventHandlers,
  ],
})
export class MonitoringModule implements NestModule, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly port: MetricsPort,
    private readonly liveness: Liveness,
    private readonly metrics: TradingMetrics,
    private readonly collectors: ScrapeCollectors,
    private readonly httpHook: HttpMetricsHook,
    private readonly config: MonitoringConfig,
  ) {}

  /** Nest's middleware step runs before the routes are registered: the HTTP hook must be in place by then. */
  configure(): void {
    this.httpHook.install();
  }

  onModuleInit(): void {
    this.port.attach(this.liveness);
    if (!this.config.metricsEnabled) return;
    this.liveness.recordInto(this.metrics);
    this.metrics.collectProcessMetrics();
    this.collectors.register();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsEnabled) await this.collectors.registerBackups();
  }

  onModuleDestroy(): void {
    this.port.detach(this.liveness);
  }
}
