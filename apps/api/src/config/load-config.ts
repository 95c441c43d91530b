import { Global, Module } from '@nestjs/common';
import { ExchangesConfig } from '@tradedesk/exchanges';
import { OrdersConfig } from '@tradedesk/orders';
import { AppConfig, type Env, SchedulerConfig } from '@tradedesk/shared';
import { ConditionsConfig } from './conditions-config.js';

/** The configuration namespace of every context this app composes; each context defines its own. */
export const CONTEXT_CONFIG = [ExchangesConfig, OrdersConfig, ConditionsConfig] as const;

/**
 * The whole configuration, the platform's and every context's, validated before anything starts
 * (main.ts, the operator CLIs, the e2e boot): a bad value is a ConfigError naming its variable.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  return AppConfig.fromEnv(env, cwd, CONTEXT_CONFIG);
}

/** TEMPORARY (issue 13): SchedulerConfig for the two consumers that still inject it; see libs/shared/src/config/scheduler-config.ts. */
@Global()
@Module({
  providers: [
    {
      provide: SchedulerConfig,
      inject: [ConditionsConfig, OrdersConfig],
      useFactory: (conditions: ConditionsConfig, orders: OrdersConfig) => new SchedulerConfig(conditions.tickMs, orders.orderPollMs),
    },
  ],
  exports: [SchedulerConfig],
})
export class SchedulerConfigModule {}
