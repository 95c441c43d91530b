import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { BackupModule } from '@tradedesk/backup';
import { ConditionsModule } from '@tradedesk/conditions';
import { ExchangesModule } from '@tradedesk/exchanges';
import { MonitoringModule } from '@tradedesk/monitoring';
import { NotificationsModule } from '@tradedesk/notifications';
import { OrdersModule } from '@tradedesk/orders';
import { TemplatesModule } from '@tradedesk/templates';
import {
  AllExceptionsFilter,
  ApiTokenGuard,
  type AppConfig,
  AuditModule,
  PlatformModule,
  RequestContextMiddleware,
} from '@tradedesk/shared';
import { BuiltInExchangeSimModule } from './exchange-sim/built-in-exchange-sim.module.js';
import { HealthController } from './health/health.controller.js';
import { persistenceSchema } from './persistence/schema.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { ShutdownReporter } from './shutdown-reporter.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, persistenceSchema),
        BuiltInExchangeSimModule,
        ScheduleModule.forRoot(),
        TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.server.throttlePerMinute }],
          // One budget per client across every route (the default key is per route and handler).
          generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        }),
        ExchangesModule,
        OrdersModule,
        ConditionsModule,
        NotificationsModule,
        MonitoringModule,
        TemplatesModule,
        BackupModule,
        SchedulerModule,
        AuditModule,
      ],
      controllers: [HealthController],
      providers: [
        ShutdownReporter,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('{*path}');
  }
}
