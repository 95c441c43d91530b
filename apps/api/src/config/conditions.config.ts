import type { EnvReader } from '@tradedesk/shared';

/**
 * TEMPORARY home (issue 13): the conditions context's configuration namespace belongs in
 * libs/conditions (conditions.config.ts, exported from its index.ts), where the conditions
 * restructuring moves it; ConditionScheduler then injects it instead of SchedulerConfig.
 */
export class ConditionsConfig {
  constructor(
    /** TICK_MS: how often the condition scheduler reads prices and evaluates. */
    readonly tickMs: number,
  ) {}

  static fromEnv(env: EnvReader): ConditionsConfig {
    return new ConditionsConfig(env.int('TICK_MS', 1000, 50, 3_600_000));
  }
}
