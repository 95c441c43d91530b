import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, CacheConfig, DatabaseConfig, LoggingConfig, SecurityConfig, ServerConfig } from './app-config.js';

/** Makes the validated AppConfig, the platform's namespaces and every context namespace read at start injectable by class. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const values: Array<[abstract new (...args: never[]) => object, object]> = [
      [AppConfig, config],
      [ServerConfig, config.server],
      [DatabaseConfig, config.database],
      [CacheConfig, config.cache],
      [SecurityConfig, config.security],
      [LoggingConfig, config.logging],
      ...config.namespaces,
    ];
    return {
      module: ConfigModule,
      providers: values.map(([provide, useValue]) => ({ provide, useValue })),
      exports: values.map(([provide]) => provide),
    };
  }
}
