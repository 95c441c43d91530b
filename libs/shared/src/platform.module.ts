import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from './cache/cache.module.js';
import { AppConfig, DatabaseConfig, SecurityConfig, ServerConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { SqliteInstanceLock } from './database/sqlite-instance-lock.js';
import { dataSourceOptions, type PersistenceSchema, runMigrations, TradedeskDataSource } from './database/tradedesk-data-source.js';
import { UnitOfWork } from './database/unit-of-work.js';
import { HealthRegistry } from './health/health-registry.js';
import { Outbox } from './outbox/outbox.js';
import { ApiAuthenticator } from './security/api-authenticator.js';
import { ApiTokenService } from './security/api-token.service.js';
import { MasterKey } from './security/master-key.js';

/**
 * Infrastructure every context stands on: validated config, the database (migrated at start),
 * the cache, CQRS buses, the unit of work and outbox, health registry, API token and master key.
 */
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
          // A database still starting (compose) gets a few chances; a wrong URL fails within seconds.
          useFactory: (db: DatabaseConfig) => ({ ...dataSourceOptions(db, schema), retryAttempts: 5, retryDelay: 2000 }),
          dataSourceFactory: async (options) => {
            const lock = config.database.kind === 'sqlite' ? SqliteInstanceLock.acquire(config.database.sqlitePath) : undefined;
            const dataSource = new TradedeskDataSource(options!, lock);
            await dataSource.initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length > 0) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        }),
        CacheModule,
      ],
      providers: [
        UnitOfWork,
        Outbox,
        HealthRegistry,
        ApiTokenService,
        ApiAuthenticator,
        { provide: MasterKey, inject: [SecurityConfig, ServerConfig], useFactory: MasterKey.resolve },
      ],
      exports: [UnitOfWork, Outbox, HealthRegistry, ApiTokenService, ApiAuthenticator, MasterKey, CqrsModule, TypeOrmModule, CacheModule],
    };
  }
}
