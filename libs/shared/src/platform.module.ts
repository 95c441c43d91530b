import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from './cache/cache.module.js';
import { AppConfig, DatabaseConfig, SecurityConfig, ServerConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { SqliteInstanceLock } from './database/sqlite-instance-lock.js';
import {
  assertWritable,
  dataSourceOptions,
  type PersistenceSchema,
  runMigrations,
  TradedeskDataSource,
} from './database/tradedesk-data-source.js';
import { UnitOfWork } from './database/unit-of-work.js';
import { HealthRegistry } from './health/health-registry.js';
import { MetricsPort } from './metrics/metrics-port.js';
import { Outbox } from './outbox/outbox.js';
import { AuditTrail } from './audit/audit-trail.js';
import { ApiAuthenticator } from './security/api-authenticator.js';
import { ApiTokenService } from './security/api-token.service.js';
import { MasterKey } from './security/master-key.js';

/**
 * Infrastructure every context stands on: validated config, the database (migrated at start),
 * the cache, CQRS buses, the unit of work and outbox, health registry, API token and master key.
 */
function isStartingUp(error: unknown): boolean {
  return (error as { code?: string })?.code === '57P03';
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, schema: PersistenceSchema): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        TypeOrmModule.forRootAsync({
          inject: [DatabaseConfig],
          // Only a PostgreSQL that says it is starting up gets more chances; anything else (refused,
          // wrong password, a locked or read-only SQLite file) will not change by waiting and ends
          // the start at once with one line (describeStartupFailure), not a stack per attempt.
          useFactory: (db: DatabaseConfig) => ({
            ...dataSourceOptions(db, schema),
            retryAttempts: 15,
            retryDelay: 1000,
            toRetry: isStartingUp,
          }),
          dataSourceFactory: async (options) => {
            const lock = config.database.kind === 'sqlite' ? SqliteInstanceLock.acquire(config.database.sqlitePath) : undefined;
            const dataSource = new TradedeskDataSource(options!, lock);
            try {
              await dataSource.initialize();
              await assertWritable(dataSource, config.database);
              const applied = await runMigrations(dataSource);
              if (applied.length > 0) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
              return dataSource;
            } catch (error) {
              // Releases the instance lock too: a retry must not find its own lock taken.
              await dataSource.destroy().catch(() => undefined);
              throw error;
            }
          },
        }),
        CacheModule,
      ],
      providers: [
        UnitOfWork,
        Outbox,
        HealthRegistry,
        MetricsPort,
        ApiTokenService,
        ApiAuthenticator,
        AuditTrail,
        {
          provide: MasterKey,
          inject: [SecurityConfig, ServerConfig],
          useFactory: (security: SecurityConfig, server: ServerConfig) => MasterKey.resolve(security, server),
        },
      ],
      exports: [
        UnitOfWork,
        Outbox,
        HealthRegistry,
        MetricsPort,
        ApiTokenService,
        ApiAuthenticator,
        AuditTrail,
        MasterKey,
        CqrsModule,
        TypeOrmModule,
        CacheModule,
      ],
    };
  }
}
