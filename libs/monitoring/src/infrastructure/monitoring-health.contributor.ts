import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthRegistry } from '@tradedesk/shared';
import { Liveness } from '../application/metrics/liveness.js';
import { MonitoringConfig } from '../monitoring.config.js';
import { OutboxBacklog } from './outbox-backlog.js';

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/**
 * Adds to /api/health, each against its threshold in config: the scheduler's liveness (age of its
 * last tick), the outbox's lag, the freshness of each exchange's prices (the backup context reports its own backups' age).
 */
@Injectable()
export class MonitoringHealthContributor implements OnApplicationBootstrap {
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: HealthRegistry,
    private readonly liveness: Liveness,
    private readonly outbox: OutboxBacklog,
    private readonly config: MonitoringConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.register({ name: 'scheduler', readiness: false, check: () => Promise.resolve(this.scheduler()) });
    this.registry.register({ name: 'outbox', readiness: false, check: () => this.outboxLag() });
    this.registry.register({ name: 'exchangeData', readiness: false, check: () => Promise.resolve(this.exchangeData()) });
  }

  /** Before the first tick (start-up waits for the reconciliation of orders) the age counts from the start. */
  scheduler(now = Date.now()): HealthIndicatorResult {
    const last = this.liveness.lastTickAt;
    const ageMs = now - (last?.getTime() ?? this.startedAt);
    const maxAgeSeconds = this.config.health.tickMaxAgeSeconds;
    return {
      scheduler: {
        status: ageMs <= maxAgeSeconds * 1000 ? 'up' : 'down',
        lastTickAt: last?.toISOString() ?? null,
        ageSeconds: seconds(ageMs),
        maxAgeSeconds,
      },
    };
  }

  async outboxLag(): Promise<HealthIndicatorResult> {
    const backlog = await this.outbox.read();
    const maxLagSeconds = this.config.health.outboxMaxLagSeconds;
    return {
      outbox: {
        status: backlog.lagSeconds <= maxLagSeconds ? 'up' : 'down',
        lagSeconds: seconds(backlog.lagSeconds * 1000),
        maxLagSeconds,
        ...(backlog.oldestTopic ? { oldestTopic: backlog.oldestTopic } : {}),
        deadLetters: [...backlog.deadByTopic.values()].reduce((a, b) => a + b, 0),
      },
    };
  }

  /** Per exchange the scheduler needs prices from now: how old its last successful read is. */
  exchangeData(now = Date.now()): HealthIndicatorResult {
    const maxAgeSeconds = this.config.health.exchangeDataMaxAgeSeconds;
    const exchanges: Record<string, { lastReadAt: string; ageSeconds: number; fresh: boolean }> = {};
    for (const [exchange, at] of this.liveness.watchedPriceReads())
      exchanges[exchange] = {
        lastReadAt: new Date(at).toISOString(),
        ageSeconds: seconds(now - at),
        fresh: now - at <= maxAgeSeconds * 1000,
      };
    const fresh = Object.values(exchanges).every((e) => e.fresh);
    return { exchangeData: { status: fresh ? 'up' : 'down', maxAgeSeconds, exchanges } };
  }
}
