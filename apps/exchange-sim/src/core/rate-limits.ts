export interface BinanceRateLimits {
  requestWeightPerMinute: number;
  ordersPer10s: number;
  ordersPerDay: number;
  /** Requests an IP may still send after its first 429 in a window before it is banned (418). */
  banAfter429s: number;
  banMs: number;
}

export interface UpbitRateLimits {
  quotationPerSecond: number;
  defaultPerSecond: number;
  orderPerSecond: number;
  banAfter429s: number;
  banMs: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  binance: BinanceRateLimits;
  upbit: UpbitRateLimits;
}

export interface RateLimitOptions {
  enabled?: boolean;
  binance?: Partial<BinanceRateLimits>;
  upbit?: Partial<UpbitRateLimits>;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  enabled: true,
  binance: { requestWeightPerMinute: 6000, ordersPer10s: 100, ordersPerDay: 200_000, banAfter429s: 10, banMs: 120_000 },
  upbit: { quotationPerSecond: 10, defaultPerSecond: 30, orderPerSecond: 8, banAfter429s: 10, banMs: 60_000 },
};

export function mergeRateLimits(base: RateLimitSettings, patch: RateLimitOptions | undefined): RateLimitSettings {
  return {
    enabled: patch?.enabled ?? base.enabled,
    binance: { ...base.binance, ...patch?.binance },
    upbit: { ...base.upbit, ...patch?.upbit },
  };
}

export type LimitVerdict =
  | { kind: 'ok'; used: number; remaining: number }
  | { kind: 'limited'; retryAfterSeconds: number; used: number }
  | { kind: 'banned'; retryAfterSeconds: number; until: number; used: number };

/** A fixed-window counter with the exchanges' "429, then 418 if you keep going" escalation. */
class WindowCounter {
  private windowStart = 0;
  private used = 0;
  private ignored429s = 0;
  private bannedUntil = 0;

  hit(cost: number, limit: number, windowMs: number, banAfter: number, banMs: number, now: number): LimitVerdict {
    if (now < this.bannedUntil)
      return { kind: 'banned', retryAfterSeconds: Math.ceil((this.bannedUntil - now) / 1000), until: this.bannedUntil, used: this.used };
    const start = now - (now % windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
      this.ignored429s = 0;
    }
    this.used += cost;
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (this.used <= limit) return { kind: 'ok', used: this.used, remaining: limit - this.used };
    this.ignored429s += 1;
    if (this.ignored429s > banAfter) {
      this.bannedUntil = now + banMs;
      return { kind: 'banned', retryAfterSeconds: Math.ceil(banMs / 1000), until: this.bannedUntil, used: this.used };
    }
    return { kind: 'limited', retryAfterSeconds, used: this.used };
  }

  peek(now: number, windowMs: number): number {
    return now - (now % windowMs) === this.windowStart ? this.used : 0;
  }
}

class Counters {
  private readonly counters = new Map<string, WindowCounter>();

  get(key: string): WindowCounter {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = new WindowCounter();
      this.counters.set(key, counter);
    }
    return counter;
  }

  clear(): void {
    this.counters.clear();
  }
}

/** Binance: request weight per IP per minute; order counts per account per 10 s and per day. */
export class BinanceLimiter {
  private readonly weights = new Counters();
  private readonly orders10s = new Counters();
  private readonly ordersDay = new Counters();

  constructor(private readonly settings: () => RateLimitSettings) {}

  weight(ip: string, cost: number, now: number): LimitVerdict {
    const s = this.settings();
    const limit = s.enabled ? s.binance.requestWeightPerMinute : Number.MAX_SAFE_INTEGER;
    return this.weights.get(ip).hit(cost, limit, 60_000, s.binance.banAfter429s, s.binance.banMs, now);
  }

  order(
    apiKey: string,
    now: number,
  ): { ok: true; count10s: number; countDay: number } | { ok: false; limit: number; interval: string; count10s: number; countDay: number } {
    const s = this.settings();
    const l10 = s.enabled ? s.binance.ordersPer10s : Number.MAX_SAFE_INTEGER;
    const lDay = s.enabled ? s.binance.ordersPerDay : Number.MAX_SAFE_INTEGER;
    // Order-count breaches are answered with 429 but never escalate to an IP ban.
    const ten = this.orders10s.get(apiKey).hit(1, l10, 10_000, Number.MAX_SAFE_INTEGER, 0, now);
    const day = this.ordersDay.get(apiKey).hit(1, lDay, 86_400_000, Number.MAX_SAFE_INTEGER, 0, now);
    if (ten.kind !== 'ok') return { ok: false, limit: l10, interval: '10 SECOND', count10s: ten.used, countDay: day.used };
    if (day.kind !== 'ok') return { ok: false, limit: lDay, interval: '1 DAY', count10s: ten.used, countDay: day.used };
    return { ok: true, count10s: ten.used, countDay: day.used };
  }

  usedWeight(ip: string, now: number): number {
    return this.weights.get(ip).peek(now, 60_000);
  }

  reset(): void {
    this.weights.clear();
    this.orders10s.clear();
    this.ordersDay.clear();
  }
}

export type UpbitGroup = 'market' | 'ticker' | 'orderbook' | 'candles' | 'trade' | 'default' | 'order';

/** Upbit: per-second request groups; quotation groups per IP, exchange groups per access key. */
export class UpbitLimiter {
  private readonly counters = new Counters();

  constructor(private readonly settings: () => RateLimitSettings) {}

  limitOf(group: UpbitGroup): number {
    const u = this.settings().upbit;
    if (group === 'default') return u.defaultPerSecond;
    if (group === 'order') return u.orderPerSecond;
    return u.quotationPerSecond;
  }

  hit(group: UpbitGroup, key: string, now: number): LimitVerdict {
    const s = this.settings();
    const limit = s.enabled ? this.limitOf(group) : Number.MAX_SAFE_INTEGER;
    return this.counters.get(`${group}:${key}`).hit(1, limit, 1000, s.upbit.banAfter429s, s.upbit.banMs, now);
  }

  reset(): void {
    this.counters.clear();
  }
}
