import KeyvRedis from '@keyv/redis';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { Keyv } from 'keyv';
import { CacheConfig } from '../config/app-config.js';
import { CACHE_BACKEND, type CacheBackend, ResilientCache } from './resilient-cache.js';

/** Redis through Keyv when REDIS_URL is set, process memory otherwise. */
function createBackend(config: CacheConfig): CacheBackend & { store: Keyv; close(): Promise<void> } {
  if (!config.redisUrl) {
    const store = new Keyv();
    return { kind: 'memory', store, ping: () => Promise.resolve(true), close: () => Promise.resolve() };
  }
  const redis = new KeyvRedis(
    {
      url: config.redisUrl,
      // Fail fast while Redis is away instead of queueing commands; reconnect in the background.
      disableOfflineQueue: true,
      socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000) },
    },
    { throwOnConnectError: false, throwOnErrors: true, namespace: 'tradedesk' },
  );
  // The client reports every failed reconnect; ResilientCache logs the outage once instead.
  redis.on('error', () => undefined);
  const store = new Keyv({ store: redis, namespace: 'tradedesk', throwOnErrors: true });
  store.on('error', () => undefined);
  return {
    kind: 'redis',
    store,
    ping: async () => {
      const client = await redis.getClient();
      return (await client.ping()) === 'PONG';
    },
    close: async () => {
      await redis.disconnect().catch(() => undefined);
    },
  };
}

const BACKEND_WITH_STORE = Symbol('BACKEND_WITH_STORE');
type Backend = ReturnType<typeof createBackend>;

/** Owns the one Keyv store (and Redis connection) shared by Nest's cache manager and our health probe. */
@Module({
  providers: [{ provide: BACKEND_WITH_STORE, inject: [CacheConfig], useFactory: createBackend }],
  exports: [BACKEND_WITH_STORE],
})
class CacheBackendModule implements OnApplicationShutdown {
  constructor(@Inject(BACKEND_WITH_STORE) private readonly backend: Backend) {}

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}

@Global()
@Module({
  imports: [
    CacheBackendModule,
    NestCacheModule.registerAsync({
      imports: [CacheBackendModule],
      inject: [BACKEND_WITH_STORE],
      useFactory: (backend: Backend) => ({ stores: [backend.store] }),
    }),
  ],
  providers: [{ provide: CACHE_BACKEND, useExisting: BACKEND_WITH_STORE }, ResilientCache],
  exports: [ResilientCache],
})
export class CacheModule {}
