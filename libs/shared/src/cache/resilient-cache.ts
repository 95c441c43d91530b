import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';

/** Something that can say whether the cache's backing store answers (Redis PING; memory always does). */
export interface CacheBackend {
  readonly kind: 'redis' | 'memory';
  ping(): Promise<boolean>;
}
export const CACHE_BACKEND = Symbol('CACHE_BACKEND');

const OPERATION_TIMEOUT_MS = 250;

/**
 * The cache every context uses. It never fails a request: a Redis error or a slow answer
 * degrades to a miss (reads) or a no-op (writes), and concurrent misses for one key share one
 * load (single flight), so 100 simultaneous requests for a ticker make one exchange call.
 */
@Injectable()
export class ResilientCache {
  private readonly logger = new Logger(ResilientCache.name);
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private degradedSince: Date | undefined;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(CACHE_BACKEND) private readonly backend: CacheBackend,
  ) {}

  get kind(): 'redis' | 'memory' {
    return this.backend.kind;
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const value = await withTimeout(this.cache.get<T>(key), OPERATION_TIMEOUT_MS);
      this.recovered();
      return value ?? undefined;
    } catch (error) {
      this.degraded(error);
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    try {
      await withTimeout(this.cache.set(key, value, ttlMs), OPERATION_TIMEOUT_MS);
      this.recovered();
    } catch (error) {
      this.degraded(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await withTimeout(this.cache.del(key), OPERATION_TIMEOUT_MS);
    } catch (error) {
      this.degraded(error);
    }
  }

  /**
   * Returns the cached value, or loads it once for all concurrent callers and caches it.
   * A loader error reaches every waiting caller and nothing is cached.
   */
  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const flight = (async () => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await load();
      await this.set(key, value, ttlMs);
      return value;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, flight);
    return flight;
  }

  /** For readiness: does the backing store answer right now? */
  async isReachable(): Promise<boolean> {
    try {
      return await withTimeout(this.backend.ping(), 1000);
    } catch {
      return false;
    }
  }

  private degraded(error: unknown): void {
    if (!this.degradedSince) {
      this.degradedSince = new Date();
      this.logger.warn(`cache unavailable, serving without it: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private recovered(): void {
    if (this.degradedSince) {
      this.logger.log(`cache available again after ${Date.now() - this.degradedSince.getTime()} ms`);
      this.degradedSince = undefined;
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache operation timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
