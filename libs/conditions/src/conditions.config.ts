import type { EnvReader } from '@tradedesk/shared';

/** The conditions context's configuration namespace. */
export class ConditionsConfig {
  constructor(
    /** TICK_MS: how often the price poll reads the watched markets and the conditions evaluate. */
    readonly tickMs: number,
  ) {}

  static fromEnv(env: EnvReader): ConditionsConfig {
    return new ConditionsConfig(env.int('TICK_MS', 1000, 50, 3_600_000));
  }
}
