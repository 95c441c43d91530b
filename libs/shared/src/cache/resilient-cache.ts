import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { MetricsPort } from '../metrics/metrics-port.js';

/** Something that can say whether the cache's backing store answers (Redis PING; memory always does). */
export interface CacheBackend {
  readonly kind: 'redis' | 'memory';
  ping(): Promise<boolean>;
}
export const CACHE_BACKEND = Symbol('CACHE_BACKEND');

const OPERATION_TIMEOUT_MS = 250;
/** While degraded, the store is probed (PING) at most this often; every other call skips it. */
const PROBE_INTERVAL_MS = 1000;
const QUIET_AFTER_RECOVERY_MS = 60_000;

/**
 * The cache every context uses. It never fails a request: a Redis error or a slow answer
 * degrades to a miss (reads) or a no-op (writes), and concurrent misses for one key share one
 * load (single flight), so 100 simultaneous requests for a ticker make one exchange call.
 *
 * An outage is a state, entered on the first failed call and left only when a PING answers:
 * meanwhile calls skip the store (no 250 ms timeout per request), and the log holds one line
 * when it starts and one when it ends. Deciding per call made the log flap, since some calls
 * answered (a miss) while others failed.
 */
@Injectable()
export class ResilientCache {
  private readonly logger = new Logger(ResilientCache.name);
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private degradedSince: Date | undefined;
  private lastProbeAt = 0;
  private recoveredAt = 0;
  private quiet = false;
  private quietOutages = 0;
  private probing: Promise<void> | undefined;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(CACHE_BACKEND) private readonly backend: CacheBackend,
    @Optional() private readonly metrics?: MetricsPort,
  ) {}

  get kind(): 'redis' | 'memory' {
    return this.backend.kind;
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (this.skipWhileDegraded()) return undefined;
    try {
      const value = await withTimeout(this.cache.get<T>(key), OPERATION_TIMEOUT_MS);
      const found = value ?? undefined;
      this.metrics?.cacheLookup(key, found !== undefined);
      return found;
    } catch (error) {
      this.degraded(error);
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    if (this.skipWhileDegraded()) return;
    try {
      await withTimeout(this.cache.set(key, value, ttlMs), OPERATION_TIMEOUT_MS);
    } catch (error) {
      this.degraded(error);
    }
  }

  /**
   * A delete while degraded is still attempted: a stale entry left behind (e.g. balances after
   * our own order) would be served once the store is back.
   */
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

  /** For readiness: does the backing store answer right now? A PING that answers ends an outage. */
  async isReachable(): Promise<boolean> {
    let reachable = false;
    try {
      reachable = await withTimeout(this.backend.ping(), 1000);
    } catch {
      reachable = false;
    }
    if (reachable) this.recovered();
    return reachable;
  }

  /** True while degraded; starts a PING in the background when the last one is old enough. */
  private skipWhileDegraded(): boolean {
    if (!this.degradedSince) return false;
    if (!this.probing && Date.now() - this.lastProbeAt >= PROBE_INTERVAL_MS) {
      this.lastProbeAt = Date.now();
      this.probing = this.isReachable()
        .then(() => undefined)
        .finally(() => (this.probing = undefined));
    }
    return true;
  }

  /**
   * A store that answers PING but fails calls (a read-only replica, out of memory) would still
   * go down and up every probe: an outage that starts within QUIET_AFTER_RECOVERY_MS of the
   * last one's end is not logged, nor its end; the next logged line counts them.
   */
  private degraded(error: unknown): void {
    if (this.degradedSince) return;
    this.degradedSince = new Date();
    this.lastProbeAt = Date.now();
    if (Date.now() - this.recoveredAt < QUIET_AFTER_RECOVERY_MS) {
      this.quietOutages++;
      this.quiet = true;
      return;
    }
    const repeated = this.quietOutages > 0 ? ` (after ${this.quietOutages} brief outage(s) not logged)` : '';
    this.quietOutages = 0;
    this.quiet = false;
    this.logger.warn(`cache unavailable, serving without it${repeated}: ${error instanceof Error ? error.message : String(error)}`);
  }

  private recovered(): void {
    if (!this.degradedSince) return;
    if (!this.quiet) this.logger.log(`cache available again after ${Date.now() - this.degradedSince.getTime()} ms`);
    this.degradedSince = undefined;
    this.recoveredAt = Date.now();
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
