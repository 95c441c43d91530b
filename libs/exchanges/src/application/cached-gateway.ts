import { byCodeUnits, Decimal, type ResilientCache } from '@tradedesk/shared';
import type { Candle, CandleTimeframe } from '../domain/candles.js';
import type {
  AccountMode,
  Balances,
  CallOptions,
  ExchangeCapabilities,
  ExchangeGateway,
  ExchangeId,
  ExchangeOrder,
  ExchangeOrderList,
  ExchangeTrade,
  OcoSellRequest,
  Market,
  OrderBook,
  PlaceOrderRequest,
  Ticker,
  TradingFee,
} from '../domain/exchange-gateway.js';

export const CACHE_TTL_MS = {
  markets: 60 * 60_000,
  ticker: 1000,
  orderBook: 500,
  candles: 2000,
  balances: 2000,
  tradingFee: 60 * 60_000,
} as const;

/** Cached values cross Redis as JSON: Decimals and Dates are tagged so they come back as themselves. */
export function toWire(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return { $d: value.toFixed() };
  if (value instanceof Date) return { $t: value.toISOString() };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

export function fromWire<T>(value: unknown): T {
  if (Array.isArray(value)) return value.map((v) => fromWire(v)) as T;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$d === 'string' && Object.keys(record).length === 1) return new Decimal(record.$d) as T;
    if (typeof record.$t === 'string' && Object.keys(record).length === 1) return new Date(record.$t) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = fromWire(v);
    return out as T;
  }
  return value as T;
}

/**
 * Market data through the cache: public data per venue (every account on it shares), balances per
 * account and dropped by our own order calls. Concurrent misses share one exchange call.
 */
export class CachedGateway implements ExchangeGateway {
  readonly exchange: ExchangeId;
  readonly mode: AccountMode;
  readonly capabilities: ExchangeCapabilities;

  constructor(
    private readonly inner: ExchangeGateway,
    private readonly cache: ResilientCache,
    private readonly venueKey: string,
    readonly accountId: string,
  ) {
    this.exchange = inner.exchange;
    this.mode = inner.mode;
    this.capabilities = inner.capabilities;
    if (inner.createOcoSell) {
      const place = inner.createOcoSell.bind(inner);
      this.createOcoSell = (request, options) => this.afterOrderCall(place(request, options));
    }
  }

  /** Present when the adapter places OCO lists natively. */
  readonly createOcoSell?: (request: OcoSellRequest, options?: CallOptions) => Promise<ExchangeOrderList>;

  private async cached<T>(key: string, ttlMs: number, load: () => Promise<T>, fresh = false): Promise<T> {
    if (fresh) {
      const value = await load();
      await this.cache.set(key, toWire(value), ttlMs);
      return value;
    }
    const wire = await this.cache.getOrLoad(key, ttlMs, async () => toWire(await load()));
    return fromWire<T>(wire);
  }

  fetchMarkets(): Promise<Market[]> {
    return this.cached(`exchanges:markets:${this.venueKey}`, CACHE_TTL_MS.markets, () => this.inner.fetchMarkets());
  }

  market(symbol: string, options?: CallOptions): Promise<Market> {
    return this.inner.market(symbol, options);
  }

  fetchTicker(symbol: string, options?: CallOptions): Promise<Ticker> {
    return this.cached(
      `exchanges:ticker:${this.venueKey}:${symbol.toUpperCase()}`,
      CACHE_TTL_MS.ticker,
      () => this.inner.fetchTicker(symbol, options),
      options?.fresh,
    );
  }

  async fetchTickers(symbols: string[], options?: CallOptions): Promise<Record<string, Ticker>> {
    const unique = [...new Set(symbols.map((s) => s.toUpperCase()))].sort(byCodeUnits);
    if (unique.length <= 1) return unique.length === 0 ? {} : { [unique[0]]: await this.fetchTicker(unique[0], options) };
    return this.cached(
      `exchanges:tickers:${this.venueKey}:${unique.join(',')}`,
      CACHE_TTL_MS.ticker,
      () => this.inner.fetchTickers(unique, options),
      options?.fresh,
    );
  }

  fetchOrderBook(symbol: string, depth = 20, options?: CallOptions): Promise<OrderBook> {
    return this.cached(
      `exchanges:book:${this.venueKey}:${symbol.toUpperCase()}:${depth}`,
      CACHE_TTL_MS.orderBook,
      () => this.inner.fetchOrderBook(symbol, depth, options),
      options?.fresh,
    );
  }

  fetchCandles(symbol: string, timeframe: CandleTimeframe, limit: number, options?: CallOptions): Promise<Candle[]> {
    return this.cached(`exchanges:candles:${this.venueKey}:${symbol.toUpperCase()}:${timeframe}:${limit}`, CACHE_TTL_MS.candles, () =>
      this.inner.fetchCandles(symbol, timeframe, limit, options),
    );
  }

  fetchBalances(options?: CallOptions): Promise<Balances> {
    return this.cached(this.balancesKey(), CACHE_TTL_MS.balances, () => this.inner.fetchBalances(options), options?.fresh);
  }

  fetchTradingFee(symbol: string): Promise<TradingFee> {
    return this.cached(`exchanges:fee:${this.accountId}:${symbol.toUpperCase()}`, CACHE_TTL_MS.tradingFee, () =>
      this.inner.fetchTradingFee(symbol),
    );
  }

  balancesKey(): string {
    return `exchanges:balances:${this.accountId}`;
  }

  invalidateBalances(): Promise<void> {
    return this.cache.delete(this.balancesKey());
  }

  private async afterOrderCall<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } finally {
      await this.invalidateBalances();
    }
  }

  createOrder(request: PlaceOrderRequest, options?: CallOptions): Promise<ExchangeOrder> {
    return this.afterOrderCall(this.inner.createOrder(request, options));
  }

  cancelOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    return this.afterOrderCall(this.inner.cancelOrder(symbol, exchangeOrderId, options));
  }

  cancelOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    return this.afterOrderCall(this.inner.cancelOrderByClientOrderId(symbol, clientOrderId, options));
  }

  fetchOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    return this.inner.fetchOrder(symbol, exchangeOrderId, options);
  }

  fetchOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    return this.inner.fetchOrderByClientOrderId(symbol, clientOrderId, options);
  }

  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<ExchangeOrder[]> {
    return this.inner.fetchOpenOrders(symbol, options);
  }

  fetchMyTrades(symbol: string, since?: Date, options?: CallOptions): Promise<ExchangeTrade[]> {
    return this.inner.fetchMyTrades(symbol, since, options);
  }
}
