import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { HealthRegistry } from '@tradedesk/shared';
import { ConditionsConfig } from '../conditions.config.js';
import { ConditionEngine } from './condition-engine.js';

/**
 * The conditions' heartbeat as health sees it: how many are armed, and when a tick last ended.
 * Down when ticks stopped (not before the first one, which waits for the order reconciliation).
 */
@Injectable()
export class ConditionsPulse implements OnApplicationShutdown {
  lastTickAt: Date | undefined;

  constructor(
    private readonly engine: ConditionEngine,
    config: ConditionsConfig,
    registry: HealthRegistry,
    indicator: HealthIndicatorService,
  ) {
    registry.register({
      name: 'conditions',
      readiness: false,
      check: () => {
        const session = indicator.check('conditions');
        const facts = { armed: this.engine.armedCount, lastTickAt: this.lastTickAt?.toISOString() ?? null };
        const stale = this.lastTickAt !== undefined && Date.now() - this.lastTickAt.getTime() > Math.max(30_000, config.tickMs * 10);
        return Promise.resolve(
          stale ? session.down({ ...facts, message: 'the condition scheduler has not ticked recently' }) : session.up(facts),
        );
      },
    });
  }

  ticked(): void {
    this.lastTickAt = new Date();
  }

  /** After the price poll stopped (before-shutdown): the moved high-water marks are written once more. */
  async onApplicationShutdown(): Promise<void> {
    await this.engine.flush().catch(() => undefined);
  }
}
