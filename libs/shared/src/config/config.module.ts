import { type DynamicModule, Global, Module } from '@nestjs/common';
import {
  AppConfig,
  CacheConfig,
  DatabaseConfig,
  LoggingConfig,
  PaperConfig,
  SchedulerConfig,
  SecurityConfig,
  ServerConfig,
  SimConfig,
} from './app-config.js';

/** Makes the validated AppConfig and each of its namespaces injectable by class. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers = [
      { provide: AppConfig, useValue: config },
      { provide: ServerConfig, useValue: config.server },
      { provide: DatabaseConfig, useValue: config.database },
      { provide: CacheConfig, useValue: config.cache },
      { provide: SecurityConfig, useValue: config.security },
      { provide: LoggingConfig, useValue: config.logging },
      { provide: SimConfig, useValue: config.sim },
      { provide: SchedulerConfig, useValue: config.scheduler },
      { provide: PaperConfig, useValue: config.paper },
    ];
    return { module: ConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}
