import { Injectable, Logger } from '@nestjs/common';
import { QueryBus, QueryHandlerNotFoundException } from '@nestjs/cqrs';
import { type BackupPage, ListBackupsQuery } from '@tradedesk/backup';
import { ListConditionsQuery, type ConditionPage } from '@tradedesk/conditions';
import { GetPositionsQuery, type PositionsReport } from '@tradedesk/orders';
import { Gauge } from 'prom-client';
import { OutboxBacklog } from '../../infrastructure/outbox-backlog.js';
import { CONDITION_KINDS } from './labels.js';
import { Liveness } from './liveness.js';
import { METRIC_PREFIX, TradingMetrics } from './trading-metrics.js';

/** The backup context's newest verified backup (a backup only succeeds once its restore is verified). */
interface BackupStatus {
  lastSuccessAt: Date | null;
  lastVerifiedAt: Date | null;
}

/** Backups kept are few (retention); this reads them all. */
const BACKUPS_READ = 10_000;

/**
 * Gauges read when Prometheus scrapes, from the contexts' queries and the outbox table: armed
 * conditions by kind, unprotected positions, outbox lag and dead letters, the age of each
 * exchange's prices, and the backups' timestamps once the backup context answers. A read that
 * fails leaves its gauge at its last value (a scrape never fails because the database blinked).
 */
@Injectable()
export class ScrapeCollectors {
  private readonly logger = new Logger('Metrics');
  private readonly deadTopics = new Set<string>();

  constructor(
    private readonly metrics: TradingMetrics,
    private readonly queries: QueryBus,
    private readonly outbox: OutboxBacklog,
    private readonly liveness: Liveness,
  ) {}

  register(): void {
    const registers = [this.metrics.registry];
    const armed = new Gauge({
      name: `${METRIC_PREFIX}conditions_armed`,
      help: 'Conditions armed (watching their trigger), by kind',
      labelNames: ['kind'] as const,
      registers,
      collect: () =>
        this.guarded('armed conditions', async () => {
          for (const kind of CONDITION_KINDS) {
            const page = await this.queries.execute<ListConditionsQuery, ConditionPage>(
              new ListConditionsQuery({ status: 'ARMED', kind, limit: 1, offset: 0 }),
            );
            armed.set({ kind }, page.total);
          }
        }),
    });
    const unprotected = new Gauge({
      name: `${METRIC_PREFIX}unprotected_positions`,
      help: 'Open positions with nothing protecting them (no armed stop and no resting exchange stop)',
      registers,
      collect: () =>
        this.guarded('unprotected positions', async () => {
          const report = await this.queries.execute<GetPositionsQuery, PositionsReport>(new GetPositionsQuery({ prices: false }));
          unprotected.set(report.positions.filter((p) => p.protection === 'none' && Number(p.quantity) > 0).length);
        }),
    });
    const lag = new Gauge({
      name: `${METRIC_PREFIX}outbox_lag_seconds`,
      help: 'How long the oldest due outbox message (an order to submit, a firing, a delivery) has waited',
      registers,
      collect: () =>
        this.guarded('outbox', async () => {
          const backlog = await this.outbox.read();
          lag.set(backlog.lagSeconds);
          for (const topic of backlog.deadByTopic.keys()) this.deadTopics.add(topic);
          for (const topic of this.deadTopics) dead.set({ topic }, backlog.deadByTopic.get(topic) ?? 0);
        }),
    });
    const dead = new Gauge({
      name: `${METRIC_PREFIX}outbox_dead_letters`,
      help: 'Outbox messages given up after their attempts (parked for an operator), by topic',
      labelNames: ['topic'] as const,
      registers,
    });
    const priceAge = new Gauge({
      name: `${METRIC_PREFIX}exchange_data_age_seconds`,
      help: 'Seconds since the last successful price read from each exchange the condition scheduler watches a market on',
      labelNames: ['exchange'] as const,
      registers,
      collect: () => {
        const now = Date.now();
        // An exchange nothing watches any more has no age to report (its series ends).
        priceAge.reset();
        for (const [exchange, at] of this.liveness.watchedPriceReads()) priceAge.set({ exchange }, (now - at) / 1000);
      },
    });
  }

  /** Registers the backup gauges when the backup context answers ListBackupsQuery (checked once at start). */
  async registerBackups(): Promise<boolean> {
    if ((await this.backupStatus()) === undefined) return false;
    const registers = [this.metrics.registry];
    const read = async (pick: (s: BackupStatus) => Date | null, gauge: Gauge) => {
      const status = await this.backupStatus();
      const at = status ? pick(status) : null;
      if (at) gauge.set(at.getTime() / 1000);
    };
    const success: Gauge = new Gauge({
      name: `${METRIC_PREFIX}backup_last_success_timestamp_seconds`,
      help: 'When the last backup completed (Unix time)',
      registers,
      collect: () => this.guarded('backups', () => read((s) => s.lastSuccessAt, success)),
    });
    const verified: Gauge = new Gauge({
      name: `${METRIC_PREFIX}backup_last_verified_timestamp_seconds`,
      help: 'When the last backup whose restore was verified completed (Unix time)',
      registers,
      collect: () => this.guarded('backups', () => read((s) => s.lastVerifiedAt, verified)),
    });
    return true;
  }

  /** The newest verified backup's times; undefined while no backup context answers. */
  async backupStatus(): Promise<BackupStatus | undefined> {
    let page: BackupPage;
    try {
      page = await this.queries.execute<ListBackupsQuery, BackupPage>(
        new ListBackupsQuery({ limit: BACKUPS_READ, offset: 0, status: 'verified' }),
      );
    } catch (error) {
      if (error instanceof QueryHandlerNotFoundException) return undefined;
      throw error;
    }
    let newest: BackupPage['items'][number] | undefined;
    for (const backup of page.items) if (!newest || (backup.finishedAt ?? '') > (newest.finishedAt ?? '')) newest = backup;
    const at = (iso: string | null | undefined) => (iso ? new Date(iso) : null);
    return { lastSuccessAt: at(newest?.finishedAt), lastVerifiedAt: at(newest?.verification?.verifiedAt) };
  }

  private async guarded(what: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch (error) {
      this.logger.debug(`${what} not read for this scrape: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
