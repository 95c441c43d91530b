import type { EnvReader } from '@tradedesk/shared';

/** The templates context's configuration namespace. */
export class TemplatesConfig {
  constructor(
    /**
     * The sweep for executions whose entry ended while no one was listening (a crash between the
     * order's commit and the saga): how often it runs, and how long the live path is given first.
     */
    readonly sweep: { everyMs: number; settleMs: number },
  ) {}

  static fromEnv(env: EnvReader): TemplatesConfig {
    return new TemplatesConfig({
      everyMs: env.int('TEMPLATE_SWEEP_EVERY_MS', 15_000, 100, 3_600_000),
      settleMs: env.int('TEMPLATE_SWEEP_SETTLE_MS', 10_000, 0, 3_600_000),
    });
  }
}
