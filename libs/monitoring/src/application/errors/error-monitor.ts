import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { type LoggedEntry, LoggingConfig, ProcessLog } from '@tradedesk/shared';
import { ERROR_HISTORY_MS, ErrorGroups, type ErrorGroupView, type LoggedProblem } from '../../domain/error-groups.js';
import { ErrorSpikeDetector, type SpikeChange } from '../../domain/error-spike.js';
import { ErrorSpikeDetectedEvent, ErrorSpikeResolvedEvent } from '../../domain/events/monitoring.events.js';
import { listLogFiles, readLogFile } from '../../infrastructure/log-files.js';
import { MonitoringConfig } from '../../monitoring.config.js';
import { TradingMetrics } from '../metrics/trading-metrics.js';

const CONTEXT = 'ErrorMonitor';
const SPIKE_CHECK_MS = 1000;

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Errors and warnings as the process logs them (ProcessLog), grouped by fingerprint for
 * GET /api/errors, counted in tradedesk_log_messages_total, and watched for a spike of errors:
 * one ErrorSpikeDetectedEvent when it starts, one ErrorSpikeResolvedEvent when it subsides. The
 * last 24 h of groups are read back from the log files at start, so a restart forgets nothing.
 * Nothing here touches the database: errors are watched even while it is away.
 */
@Injectable()
export class ErrorMonitor implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CONTEXT);
  private readonly groups = new ErrorGroups();
  private readonly spikes: ErrorSpikeDetector;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchingSince = new Date();
  /** Resolves once the log files of the last 24 h are read back. */
  restored: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: EventBus,
    private readonly metrics: TradingMetrics,
    private readonly logging: LoggingConfig,
    config: MonitoringConfig,
  ) {
    this.spikes = new ErrorSpikeDetector(config.errorSpike.threshold, config.errorSpike.windowSeconds);
  }

  onModuleInit(): void {
    this.watchingSince = new Date();
    this.unsubscribe = ProcessLog.subscribe((entry) => this.logged(entry));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tell(this.spikes.check(new Date())), SPIKE_CHECK_MS);
    this.timer.unref();
    this.restored = this.restore().catch((error: unknown) =>
      this.logger.debug(`earlier errors not read back from the log files: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  list(now = new Date()): ErrorGroupView[] {
    return this.groups.list(now);
  }

  get spiking(): boolean {
    return this.spikes.spiking;
  }

  private logged(entry: LoggedEntry): void {
    const level = entry.level;
    if (level !== 'error' && level !== 'warn') return;
    // What this monitor logs about itself never feeds it.
    if (entry.context === CONTEXT) return;
    const at = new Date();
    this.groups.record(problemOf(entry, level, at));
    this.metrics.logged(level);
    if (level === 'error') this.tell(this.spikes.error(at));
  }

  /** Published outside the logging call that saw the error: listeners may log in turn. */
  private tell(change: SpikeChange | undefined): void {
    if (!change) return;
    this.metrics.spiking(change.kind === 'detected');
    const event =
      change.kind === 'detected'
        ? new ErrorSpikeDetectedEvent(
            change.errors,
            this.spikes.windowSeconds,
            this.spikes.threshold,
            change.since,
            this.groups
              .list(change.since)
              .filter((g) => g.level === 'error')
              .sort((a, b) => b.lastHour - a.lastHour)
              .slice(0, 3)
              .map((g) => ({ fingerprint: g.fingerprint, context: g.context, pattern: g.pattern, count: g.lastHour })),
          )
        : new ErrorSpikeResolvedEvent(change.since, change.at, change.peak);
    setImmediate(() => {
      this.events.publish(event);
    });
  }

  /** The errors and warnings of the last 24 h written before this process began to watch. */
  private async restore(): Promise<void> {
    const since = this.watchingSince.getTime() - ERROR_HISTORY_MS;
    for (const file of await listLogFiles(this.logging.dir)) {
      if (file.modifiedMs < since) continue;
      for await (const { record } of readLogFile(file)) {
        if ((record.level !== 'error' && record.level !== 'warn') || !record.at || record.context === CONTEXT) continue;
        if (record.at.getTime() < since || record.at >= this.watchingSince) continue;
        this.groups.record({
          level: record.level,
          message: record.message,
          context: record.context,
          requestId: record.requestId,
          at: record.at,
        });
      }
    }
  }
}

function problemOf(entry: LoggedEntry, level: 'error' | 'warn', at: Date): LoggedProblem {
  return { level, message: text(entry.message) ?? '', context: text(entry.context), requestId: text(entry.correlationId), at };
}
