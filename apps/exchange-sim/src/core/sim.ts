import type { BookConfig } from './book.js';
import { Dec } from './decimal.js';
import { Engine } from './engine.js';
import { FaultBoard } from './faults.js';
import { PriceFeed, parseCandleCsv } from './feed.js';
import type { FeedState } from './feed.js';
import { MarketCatalog } from './markets.js';
import type { ExchangeId, Market } from './markets.js';
import type { BookOptions, ExchangeSimOptions } from './options.js';
import { BinanceLimiter, DEFAULT_RATE_LIMITS, UpbitLimiter, mergeRateLimits } from './rate-limits.js';
import type { RateLimitOptions, RateLimitSettings } from './rate-limits.js';
import { SimStore } from './store.js';

const DEFAULT_BOOK: Record<ExchangeId, BookConfig> = {
  binance: { spreadBps: new Dec(1), levels: 20, levelQuoteDepth: new Dec(50_000), levelStepBps: new Dec(2) },
  upbit: { spreadBps: new Dec(2), levels: 15, levelQuoteDepth: new Dec(50_000_000), levelStepBps: new Dec(2) },
};

export function bookPatch(options: BookOptions | undefined): Partial<BookConfig> {
  const patch: Partial<BookConfig> = {};
  if (!options) return patch;
  const dec = (name: string, v: number | string): Dec => {
    const d = new Dec(v);
    if (d.isNegative() || !d.isFinite()) throw new Error(`${name} must be a non-negative number`);
    return d;
  };
  if (options.spreadBps !== undefined) patch.spreadBps = dec('spreadBps', options.spreadBps);
  if (options.levelStepBps !== undefined) patch.levelStepBps = dec('levelStepBps', options.levelStepBps);
  if (options.levelQuoteDepth !== undefined) patch.levelQuoteDepth = dec('levelQuoteDepth', options.levelQuoteDepth);
  if (options.bookLevels !== undefined) {
    if (!Number.isInteger(options.bookLevels) || options.bookLevels < 1 || options.bookLevels > 5000)
      throw new Error('bookLevels must be an integer in [1, 5000]');
    patch.levels = options.bookLevels;
  }
  return patch;
}

function seededRandom(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The emulator's state and clock, shared by the HTTP front ends of both exchanges and the control API. */
export class ExchangeSimulator {
  readonly catalog: MarketCatalog;
  readonly store: SimStore;
  readonly feed: PriceFeed;
  readonly engine: Engine;
  readonly faults: FaultBoard;
  readonly binanceLimiter: BinanceLimiter;
  readonly upbitLimiter: UpbitLimiter;
  rateLimits: RateLimitSettings;
  tickMs: number;
  private tickTimer?: NodeJS.Timeout;
  private replayTimer?: NodeJS.Timeout;
  private readonly requestCounts = new Map<string, number>();
  readonly log: (line: string) => void;

  constructor(options: ExchangeSimOptions) {
    this.log = options.log ?? (() => undefined);
    this.catalog = new MarketCatalog(options.syntheticMarkets ?? 0);
    this.store = new SimStore(options.dataDir);
    const seed = options.seed ?? 1;
    const persisted = this.store.getMeta('feed');
    this.feed = new PriceFeed(
      this.catalog,
      { seed, mode: options.feed ?? 'random', volatilityBps: options.volatilityBps, premium: options.premium },
      persisted ? (JSON.parse(persisted) as FeedState) : undefined,
    );
    if (persisted && options.feed && this.feed.mode !== options.feed) this.feed.setMode(options.feed);
    const book: Record<ExchangeId, BookConfig> = {
      binance: { ...DEFAULT_BOOK.binance, ...bookPatch(options.book?.binance) },
      upbit: { ...DEFAULT_BOOK.upbit, ...bookPatch(options.book?.upbit) },
    };
    this.engine = new Engine(this.store, this.catalog, this.feed, book);
    this.faults = new FaultBoard(seededRandom(seed));
    this.rateLimits = mergeRateLimits(DEFAULT_RATE_LIMITS, options.rateLimits);
    this.binanceLimiter = new BinanceLimiter(() => this.rateLimits);
    this.upbitLimiter = new UpbitLimiter(() => this.rateLimits);
    for (const a of options.accounts ?? [])
      this.engine.upsertAccount(a.exchange, a.apiKey, a.secret, a.balances, false, { enableWithdrawals: a.enableWithdrawals });
    this.engine.onPricesChanged(
      this.catalog.all().map((m) => `${m.exchange}:${m.id}`),
      () => this.persistFeed(),
    );
    this.tickMs = options.tickMs ?? 1000;
    this.scheduleTicks();
    if (this.feed.mode === 'replay') this.scheduleReplay();
  }

  close(): void {
    clearInterval(this.tickTimer);
    clearInterval(this.replayTimer);
    this.store.close();
  }

  private persistFeed(): void {
    this.store.setMeta('feed', JSON.stringify(this.feed.snapshot()));
  }

  private scheduleTicks(): void {
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    if (this.tickMs > 0 && this.feed.mode === 'random') {
      this.tickTimer = setInterval(() => this.advance(1), this.tickMs);
      this.tickTimer.unref();
    }
  }

  private scheduleReplay(): void {
    clearInterval(this.replayTimer);
    this.replayTimer = undefined;
    const replay = this.feed.replay;
    if (!replay) return;
    this.replayTimer = setInterval(() => {
      this.advance(1);
      if (this.feed.mode !== 'replay') {
        clearInterval(this.replayTimer);
        this.replayTimer = undefined;
      }
    }, replay.intervalMs);
    this.replayTimer.unref();
  }

  /** Moves the feed `ticks` steps now and matches resting orders after each. */
  advance(ticks: number): void {
    for (let i = 0; i < ticks; i++) {
      const changed = this.feed.step();
      this.engine.onPricesChanged(changed, () => this.persistFeed());
    }
  }

  setPrice(market: Market, price: Dec): void {
    const changed = this.feed.setPrice(market, price);
    this.engine.onPricesChanged(changed, () => this.persistFeed());
  }

  setRandomFeed(options: { seed?: number; tickMs?: number; volatilityBps?: number; premium?: string }): void {
    this.feed.setMode('random', options);
    if (options.tickMs !== undefined) this.tickMs = options.tickMs;
    clearInterval(this.replayTimer);
    this.scheduleTicks();
    this.engine.commit(() => this.persistFeed());
  }

  setManualFeed(): void {
    this.feed.setMode('manual');
    clearInterval(this.replayTimer);
    this.scheduleTicks();
    this.engine.commit(() => this.persistFeed());
  }

  startReplay(market: Market, csv: string, speed: number, loop: boolean): { points: number; intervalMs: number } {
    const { points, candleMs } = parseCandleCsv(csv);
    const intervalMs = Math.max(1, Math.round(candleMs / 4 / speed));
    this.feed.startReplay(market, points, intervalMs, loop);
    this.scheduleTicks();
    this.scheduleReplay();
    this.engine.commit(() => this.persistFeed());
    return { points: points.length, intervalMs };
  }

  updateRateLimits(patch: RateLimitOptions): void {
    this.rateLimits = mergeRateLimits(this.rateLimits, patch);
  }

  reset(): void {
    this.engine.reset();
    this.binanceLimiter.reset();
    this.upbitLimiter.reset();
    this.faults.clear();
    this.requestCounts.clear();
    this.catalog.clearNotices();
  }

  countRequest(exchange: ExchangeId, path: string): void {
    const key = `${exchange} ${path}`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  requestCount(exchange: ExchangeId, path: string): number {
    return this.requestCounts.get(`${exchange} ${path}`) ?? 0;
  }

  requestCountsOf(exchange?: ExchangeId): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [key, count] of this.requestCounts) {
      const space = key.indexOf(' ');
      const ex = key.slice(0, space);
      const path = key.slice(space + 1);
      if (exchange === undefined || ex === exchange) result[exchange ? path : key] = count;
    }
    return result;
  }

  clearRequestCounts(): void {
    this.requestCounts.clear();
  }
}
