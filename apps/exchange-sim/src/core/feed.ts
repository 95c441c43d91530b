import { Dec, ceilToStep } from './decimal.js';
import { REFERENCE_START_PRICES, USDT_KRW_START, marketKey, syntheticStartPrice, tickFor } from './markets.js';
import type { ExchangeId, Market, MarketCatalog } from './markets.js';
import { byCodeUnits } from './code-unit-order.js';

export type FeedMode = 'random' | 'manual' | 'replay';

/** One price point of a replayed candle series. */
export interface ReplayPoint {
  time: number;
  price: string;
}

export interface ReplayState {
  exchange: ExchangeId;
  marketId: string;
  points: ReplayPoint[];
  position: number;
  intervalMs: number;
  loop: boolean;
}

/** Everything needed to continue the feed after a restart; persisted as JSON. */
export interface FeedState {
  mode: FeedMode;
  seed: number;
  rng: number;
  tick: number;
  volatilityBps: number;
  premium: string;
  /** USD reference price per base asset, plus USDT→KRW under FX_KEY. */
  drivers: Record<string, string>;
  /** By market key; a market added since the state was saved has none until it is derived. */
  prices: Partial<Record<string, string>>;
  replay?: ReplayState;
}

const FX_KEY = 'USDT_KRW';

/** mulberry32: tiny, fast, and its whole state is one uint32 — easy to persist. */
function nextUint32(state: number): [number, number] {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [s, (t ^ (t >>> 14)) >>> 0];
}

/**
 * Market prices for both exchanges. In random mode every market derives from a few drivers that
 * walk (log-normal steps from a seeded generator), so Upbit KRW-X ≈ Binance X/USDT × USDT/KRW ×
 * (1 + premium) holds at every tick and a seed always yields the same path. Manual mode changes a
 * price only when told; replay moves one market along a candle series and the others stay put,
 * except the ones derived from the same driver.
 */
export class PriceFeed {
  private state: FeedState;

  constructor(
    private readonly catalog: MarketCatalog,
    options: { seed: number; mode: FeedMode; volatilityBps?: number; premium?: string },
    persisted?: FeedState,
  ) {
    if (persisted) {
      this.state = persisted;
      this.fillMissingMarkets();
    } else {
      const drivers: Record<string, string> = { ...REFERENCE_START_PRICES, [FX_KEY]: USDT_KRW_START };
      catalog.list('binance').forEach((m) => {
        if (m.synthetic) drivers[m.base] = syntheticStartPrice(Number(m.base.slice(3)) - 1);
      });
      this.state = {
        mode: options.mode === 'replay' ? 'manual' : options.mode,
        seed: options.seed,
        rng: options.seed >>> 0,
        tick: 0,
        volatilityBps: options.volatilityBps ?? 5,
        premium: options.premium ?? '0.01',
        drivers,
        prices: {},
      };
      this.derivePrices();
    }
  }

  get mode(): FeedMode {
    return this.state.mode;
  }

  get tick(): number {
    return this.state.tick;
  }

  get replay(): ReplayState | undefined {
    return this.state.replay;
  }

  snapshot(): FeedState {
    return this.state;
  }

  price(exchange: ExchangeId, marketId: string): Dec {
    const text = this.state.prices[marketKey(exchange, marketId)];
    if (text === undefined) throw new Error(`no price for ${exchange} ${marketId}`);
    return new Dec(text);
  }

  priceText(exchange: ExchangeId, marketId: string): string {
    return this.state.prices[marketKey(exchange, marketId)] ?? '0';
  }

  /**
   * Sets one market's price; returns the markets whose price changed. In random and replay mode
   * the driver moves, so the same asset on the other exchange follows.
   */
  setPrice(market: Market, price: Dec): string[] {
    if (this.state.mode === 'manual') {
      const key = marketKey(market.exchange, market.id);
      this.state.prices[key] = price.toFixed();
      return [key];
    }
    this.moveDriverTo(market, price);
    const changed = this.derivePrices();
    const key = marketKey(market.exchange, market.id);
    // Keep exactly what was asked for this market, not the tick-rounded derivation.
    this.state.prices[key] = price.toFixed();
    if (!changed.includes(key)) changed.push(key);
    return changed;
  }

  setMode(mode: 'random' | 'manual', options: { seed?: number; volatilityBps?: number; premium?: string } = {}): void {
    if (options.seed !== undefined) {
      this.state.seed = options.seed;
      this.state.rng = options.seed >>> 0;
      this.state.tick = 0;
    }
    if (options.volatilityBps !== undefined) this.state.volatilityBps = options.volatilityBps;
    if (options.premium !== undefined) this.state.premium = options.premium;
    if (mode === 'random' && this.state.mode !== 'random') this.driversFromPrices();
    this.state.mode = mode;
    delete this.state.replay;
  }

  startReplay(market: Market, points: ReplayPoint[], intervalMs: number, loop: boolean): void {
    if (this.state.mode === 'manual') this.driversFromPrices();
    this.state.mode = 'replay';
    this.state.replay = { exchange: market.exchange, marketId: market.id, points, position: 0, intervalMs, loop };
  }

  /** Advances the feed one tick; returns the keys of markets whose price changed. */
  step(): string[] {
    if (this.state.mode === 'random') return this.randomStep();
    if (this.state.mode === 'replay') return this.replayStep();
    return [];
  }

  private randomStep(): string[] {
    this.state.tick += 1;
    const sigma = this.state.volatilityBps / 10_000;
    for (const asset of Object.keys(this.state.drivers).sort(byCodeUnits)) {
      const assetSigma = asset === FX_KEY ? sigma / 5 : sigma;
      const multiplier = Math.exp(assetSigma * this.gaussian());
      const next = new Dec(this.state.drivers[asset]).mul(new Dec(multiplier.toFixed(15))).toSignificantDigits(12);
      this.state.drivers[asset] = next.toFixed();
    }
    return this.derivePrices();
  }

  private replayStep(): string[] {
    const replay = this.state.replay;
    if (!replay) return [];
    if (replay.position >= replay.points.length) {
      if (!replay.loop) {
        this.state.mode = 'manual';
        delete this.state.replay;
        return [];
      }
      replay.position = 0;
    }
    const point = replay.points[replay.position];
    replay.position += 1;
    this.state.tick += 1;
    const market = this.catalog.get(replay.exchange, replay.marketId)!;
    return this.setPrice(market, new Dec(point.price));
  }

  private gaussian(): number {
    let u1: number;
    let u2: number;
    [this.state.rng, u1] = nextUint32(this.state.rng);
    [this.state.rng, u2] = nextUint32(this.state.rng);
    const a = (u1 + 1) / 4294967297;
    const b = u2 / 4294967296;
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
  }

  private krwFactor(): Dec {
    return new Dec(this.state.drivers[FX_KEY]).mul(new Dec(1).plus(this.state.premium));
  }

  private derivedPrice(market: Market): Dec {
    const d = this.state.drivers;
    let raw: Dec;
    if (market.exchange === 'binance') {
      raw = market.quote === 'USDT' ? new Dec(d[market.base]) : new Dec(d[market.base]).div(new Dec(d[market.quote]));
    } else if (market.base === 'USDT') {
      raw = new Dec(d[FX_KEY]);
    } else {
      raw = new Dec(d[market.base]).mul(this.krwFactor());
    }
    const tick = tickFor(market, raw);
    const rounded = raw.div(tick).toDecimalPlaces(0).mul(tick);
    return rounded.isZero() ? ceilToStep(raw, tick) : rounded;
  }

  private derivePrices(): string[] {
    const changed: string[] = [];
    for (const market of this.catalog.all()) {
      const key = marketKey(market.exchange, market.id);
      const next = this.derivedPrice(market).toFixed();
      if (this.state.prices[key] !== next) {
        this.state.prices[key] = next;
        changed.push(key);
      }
    }
    return changed;
  }

  private moveDriverTo(market: Market, price: Dec): void {
    const d = this.state.drivers;
    if (market.exchange === 'binance') {
      if (market.quote === 'USDT') d[market.base] = price.toFixed();
      else d[market.base] = price.mul(new Dec(d[market.quote])).toSignificantDigits(12).toFixed();
    } else if (market.base === 'USDT') {
      d[FX_KEY] = price.toFixed();
    } else {
      d[market.base] = price.div(this.krwFactor()).toSignificantDigits(12).toFixed();
    }
  }

  /** After manual moves, restart the walk from where the Binance USDT markets and KRW-USDT are. */
  private driversFromPrices(): void {
    for (const market of this.catalog.list('binance')) {
      if (market.quote === 'USDT') this.state.drivers[market.base] = this.state.prices[marketKey('binance', market.id)]!;
    }
    const fx = this.state.prices[marketKey('upbit', 'KRW-USDT')];
    if (fx !== undefined) this.state.drivers[FX_KEY] = fx;
  }

  /** A persisted state from a run with fewer synthetic markets: give the new ones a start. */
  private fillMissingMarkets(): void {
    for (const market of this.catalog.all()) {
      if (market.synthetic && this.state.drivers[market.base] === undefined) {
        this.state.drivers[market.base] = syntheticStartPrice(Number(market.base.slice(3)) - 1);
      }
    }
    for (const market of this.catalog.all()) {
      const key = marketKey(market.exchange, market.id);
      if (this.state.prices[key] === undefined) this.state.prices[key] = this.derivedPrice(market).toFixed();
    }
  }
}

/**
 * Parses candle CSV (`time,open,high,low,close[,volume]`, header optional, time in ms or ISO 8601)
 * into price points: each candle becomes open → low/high → close, the extreme nearer the open
 * first, as a plausible intra-candle path.
 */
export function parseCandleCsv(csv: string): { points: ReplayPoint[]; candleMs: number } {
  const rows = csv
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(',').map((c) => c.trim()));
  const candles = rows.map(candleOf).filter((candle): candle is Candle => candle !== undefined);
  if (candles.length === 0) throw new Error('no candles in CSV');
  const candleMs = candles.length > 1 ? Math.max(1, candles[1].time - candles[0].time) : 60_000;
  return { points: candles.flatMap((candle) => intraCandlePath(candle, candleMs)), candleMs };
}

interface Candle {
  time: number;
  o: string;
  h: string;
  l: string;
  c: string;
}

/** One CSV row as a candle; undefined for the header row. */
function candleOf(cells: string[]): Candle | undefined {
  if (cells.length < 5) throw new Error(`candle row needs time,open,high,low,close: ${cells.join(',')}`);
  const [time, o, h, l, c] = cells as [string, string, string, string, string];
  if (!/^[\d.]+$/.test(o)) return undefined; // header
  const ms = /^\d+$/.test(time) ? Number(time) : Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`bad candle time: ${time}`);
  for (const v of [o, h, l, c]) if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`bad candle price: ${v}`);
  return { time: ms, o, h, l, c };
}

/** open → the extreme nearer the open → the other extreme → close, spread over the candle's time. */
function intraCandlePath(k: Candle, candleMs: number): ReplayPoint[] {
  const rising = new Dec(k.c).greaterThanOrEqualTo(k.o);
  const path = rising ? [k.o, k.l, k.h, k.c] : [k.o, k.h, k.l, k.c];
  return path.map((price, i) => ({ time: k.time + Math.floor((i * candleMs) / 4), price }));
}
