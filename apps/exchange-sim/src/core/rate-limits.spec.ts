import { describe, expect, it } from 'vitest';
import { BinanceLimiter, DEFAULT_RATE_LIMITS, UpbitLimiter, mergeRateLimits } from './rate-limits.js';

describe('rate limiters', () => {
  it('counts Binance weight per minute window: ok, 429, then a ban that outlives the window', () => {
    const settings = mergeRateLimits(DEFAULT_RATE_LIMITS, { binance: { requestWeightPerMinute: 3, banAfter429s: 1, banMs: 120_000 } });
    const limiter = new BinanceLimiter(() => settings);
    const t = 60_000 * 100;
    expect(limiter.weight('ip', 2, t)).toMatchObject({ kind: 'ok', used: 2 });
    expect(limiter.weight('ip', 1, t + 1)).toMatchObject({ kind: 'ok', used: 3 });
    expect(limiter.weight('ip', 1, t + 2)).toMatchObject({ kind: 'limited', retryAfterSeconds: 60 });
    expect(limiter.weight('ip', 1, t + 3)).toMatchObject({ kind: 'banned' });
    expect(limiter.weight('ip', 1, t + 60_000)).toMatchObject({ kind: 'banned' });
    expect(limiter.weight('other', 1, t + 60_000)).toMatchObject({ kind: 'ok' });
    expect(limiter.weight('ip', 1, t + 130_000)).toMatchObject({ kind: 'ok', used: 1 });
    expect(limiter.usedWeight('ip', t + 130_000)).toBe(1);
    limiter.reset();
    expect(limiter.usedWeight('ip', t + 130_000)).toBe(0);
  });

  it('counts Binance orders per 10 s and per day without banning, and can be disabled', () => {
    const settings = mergeRateLimits(DEFAULT_RATE_LIMITS, { binance: { ordersPer10s: 1 } });
    const limiter = new BinanceLimiter(() => settings);
    expect(limiter.order('k', 0)).toMatchObject({ ok: true, count10s: 1 });
    expect(limiter.order('k', 1)).toMatchObject({ ok: false, interval: '10 SECOND', limit: 1 });
    expect(limiter.order('k', 10_000)).toMatchObject({ ok: true, count10s: 1, countDay: 3 });
    const off = new BinanceLimiter(() => mergeRateLimits(settings, { enabled: false }));
    for (let i = 0; i < 5; i++) expect(off.order('k', 0).ok).toBe(true);
  });

  it('keeps Upbit groups apart with their own per-second limits', () => {
    const settings = mergeRateLimits(DEFAULT_RATE_LIMITS, { upbit: { orderPerSecond: 1, quotationPerSecond: 2 } });
    const limiter = new UpbitLimiter(() => settings);
    expect(limiter.limitOf('order')).toBe(1);
    expect(limiter.limitOf('default')).toBe(30);
    expect(limiter.limitOf('ticker')).toBe(2);
    expect(limiter.hit('order', 'k', 0).kind).toBe('ok');
    expect(limiter.hit('order', 'k', 1).kind).toBe('limited');
    expect(limiter.hit('default', 'k', 1).kind).toBe('ok');
    expect(limiter.hit('order', 'k', 1000).kind).toBe('ok');
  });
});
