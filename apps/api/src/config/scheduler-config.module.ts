import { Global, Module } from '@nestjs/common';
import { OrdersConfig } from '@tradedesk/orders';
import { SchedulerConfig } from '@tradedesk/shared';
import { ConditionsConfig } from './conditions.config.js';

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
