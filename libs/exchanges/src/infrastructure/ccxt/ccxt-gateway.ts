import { type MetricsSink, NotFoundError } from '@tradedesk/shared';
import type { Exchange, Market as CcxtMarket, Order as CcxtOrder } from 'ccxt';
import type { Candle, CandleTimeframe } from '../../domain/candles.js';
import type {
  AccountMode,
  Balances,
  CallOptions,
  ExchangeCapabilities,
  ExchangeGateway,
  ExchangeId,
  ExchangeOrder,
  ExchangeTrade,
  KeyPermissions,
  Market,
  OrderBook,
  PlaceOrderRequest,
  RequestLane,
  Ticker,
  TradingFee,
} from '../../domain/exchange-gateway.js';
import { type ExchangeError, ExchangeRateLimited, isTemporaryExchangeError, OutcomeUnknown } from '../../domain/exchange.errors.js';
import type { RateGovernor } from '../rate/rate-governor.js';
import { type CallKind, translateCcxtError } from './ccxt-error-translator.js';
import { required, toExchangeOrder, toTicker, toTrade } from './ccxt-mapping.js';

export interface GatewayCredentials {
  apiKey: string;
  secret: string;
}

export interface CcxtGatewayOptions {
  mode: AccountMode;
  credentials?: GatewayCredentials;
  /**
   * Base URL of an exchange emulator: required in `sim` mode; in `paper` mode, where public market
   * data comes from (PAPER_MARKET_DATA_URL or the sim-mode emulator; the real exchange when unset).
   */
  simUrl?: string;
  /** Per-request timeout; ccxt's default is 10 s. */
  timeoutMs?: number;
  /** Attempts for a read that failed temporarily (order-creating calls get exactly one). */
  readAttempts?: number;
  /** Told each call's outcome as far as the exchange's availability goes (see CallObserver). */
  observer?: CallObserver;
  /** Told each request's wait in its lane, duration and outcome (the metrics port). */
  metrics?: Pick<MetricsSink, 'exchangeRequestQueued' | 'exchangeRequestStarted' | 'exchangeRequestEnded'>;
}

/** Learns whether the exchange answers: each success, and each call that failed for a temporary reason after its retries. */
export interface CallObserver {
  succeeded(): void;
  failed(error: ExchangeError): void;
}

/** What an adapter names each call, to cost it against the exchange's budgets. */
export type CallName =
  | 'markets'
  | 'ticker'
  | 'tickers'
  | 'orderBook'
  | 'candles'
  | 'balances'
  | 'tradingFee'
  | 'createOrder'
  | 'createOrderList'
  | 'cancelOrder'
  | 'fetchOrder'
  | 'openOrders'
  | 'myTrades'
  | 'closedOrders'
  | 'keyPermissions';

/** What sizes a call's cost: how many symbols, how deep a book, whether one symbol is named. */
export interface CallDetail {
  symbols?: number;
  depth?: number;
  symbol?: boolean;
}

export interface CallHealth {
  lastLatencyMs?: number;
  lastSuccessAt?: Date;
  lastFailureAt?: Date;
  lastError?: string;
}

/**
 * The shared part of every ccxt-backed adapter: one ccxt instance per account (its own limiter
 * off — the RateGovernor paces calls), market loading, mapping ccxt's structures into
 * tradedesk's, and translating every error once. A new venue is a subclass declaring its
 * capabilities, its client, its call costs and its order parameters.
 */
export abstract class CcxtGateway implements ExchangeGateway {
  abstract readonly exchange: ExchangeId;
  abstract readonly capabilities: ExchangeCapabilities;
  readonly mode: AccountMode;
  readonly health: CallHealth = {};
  protected readonly client: Exchange;
  private marketsLoading: Promise<Market[]> | undefined;
  private marketsBySymbol = new Map<string, Market>();
  /** A fresh market read is loading: others asking fresh now share it. */
  private marketsReloading = false;
  private marketsGeneration = 0;

  constructor(
    protected readonly options: CcxtGatewayOptions,
    protected readonly governor: RateGovernor,
  ) {
    this.mode = options.mode;
    this.client = this.createClient();
  }

  protected abstract createClient(): Exchange;
  /** Budget units a call spends, e.g. `{ weight: 20 }` or `{ order: 1 }`. */
  protected abstract costOf(call: CallName, detail?: CallDetail): Record<string, number>;
  /** Reads the exchange's usage headers into the governor. */
  protected abstract observeHeaders(headers: Record<string, string>): void;
  /** Loads markets through ccxt (one governed request), for subclasses that read more from the answer. */
  protected async loadCcxtMarkets(): Promise<void> {
    await this.client.loadMarkets(true);
  }
  protected abstract createOrderOnExchange(request: PlaceOrderRequest): Promise<CcxtOrder>;
  protected abstract fetchOrderByClientIdOnExchange(symbol: string, clientOrderId: string): Promise<CcxtOrder>;
  protected abstract cancelOrderByClientIdOnExchange(symbol: string, clientOrderId: string): Promise<CcxtOrder>;
  protected abstract fetchTradingFeeOnExchange(symbol: string): Promise<TradingFee>;
  protected abstract toMarket(market: CcxtMarket): Market;

  async close(): Promise<void> {
    await (this.client as { close?: () => Promise<void> }).close?.();
  }

  // ---- market data ----

  fetchMarkets(): Promise<Market[]> {
    this.marketsLoading ??= this.loadMarkets();
    return this.marketsLoading;
  }

  /** One load of the market list; a load overtaken by a later one (a fresh read) leaves the later one's answer in place. */
  private loadMarkets(): Promise<Market[]> {
    const generation = ++this.marketsGeneration;
    const current = (): boolean => generation === this.marketsGeneration;
    return this.call('markets', 'read', 'market-data', async () => {
      await this.loadCcxtMarkets();
      const markets = Object.values(this.client.markets ?? {})
        .filter((m: CcxtMarket | undefined): m is CcxtMarket => !!m && m.spot === true)
        .map((m) => this.toMarket(m));
      if (current()) this.marketsBySymbol = new Map(markets.map((m) => [m.symbol, m]));
      return markets;
    })
      .catch((error: unknown) => {
        if (current()) this.marketsLoading = undefined;
        throw error;
      })
      .finally(() => {
        if (current()) this.marketsReloading = false;
      });
  }

  async market(symbol: string, options?: CallOptions): Promise<Market> {
    // A fresh read starts a new load unless a fresh one is already under way (that one is as fresh).
    if (options?.fresh && !this.marketsReloading) {
      this.marketsReloading = true;
      this.marketsLoading = undefined;
    }
    await this.fetchMarkets();
    const market = this.marketsBySymbol.get(symbol.toUpperCase());
    if (!market)
      throw new NotFoundError('MARKET.NOT_FOUND', `${this.exchange} has no spot market ${symbol}`, { exchange: this.exchange, symbol });
    return market;
  }

  async fetchTicker(symbol: string, options?: CallOptions): Promise<Ticker> {
    await this.market(symbol);
    const ticker = await this.call('ticker', 'read', options?.lane ?? 'market-data', () => this.client.fetchTicker(symbol), {
      symbol: true,
    });
    return toTicker(ticker);
  }

  async fetchTickers(symbols: string[], options?: CallOptions): Promise<Record<string, Ticker>> {
    const unique = [...new Set(symbols.map((s) => s.toUpperCase()))];
    if (unique.length === 0) return {};
    for (const symbol of unique) await this.market(symbol);
    if (unique.length === 1) return { [unique[0]]: await this.fetchTicker(unique[0], options) };
    const tickers = await this.call('tickers', 'read', options?.lane ?? 'market-data', () => this.client.fetchTickers(unique), {
      symbols: unique.length,
    });
    const out: Record<string, Ticker> = {};
    for (const symbol of unique) if (tickers[symbol]) out[symbol] = toTicker(tickers[symbol]);
    return out;
  }

  async fetchOrderBook(symbol: string, depth = 20, options?: CallOptions): Promise<OrderBook> {
    await this.market(symbol);
    const book = await this.call('orderBook', 'read', options?.lane ?? 'market-data', () => this.client.fetchOrderBook(symbol, depth), {
      depth,
    });
    const levels = (side: unknown[][]) => side.map(([price, amount]) => ({ price: required(price), amount: required(amount) }));
    return { symbol, bids: levels(book.bids), asks: levels(book.asks), timestamp: new Date(book.timestamp ?? Date.now()) };
  }

  async fetchCandles(symbol: string, timeframe: CandleTimeframe, limit: number, options?: CallOptions): Promise<Candle[]> {
    await this.market(symbol);
    const rows = await this.call('candles', 'read', options?.lane ?? 'market-data', () =>
      this.client.fetchOHLCV(symbol, timeframe, undefined, limit),
    );
    return rows
      .map(([time, open, high, low, close, volume]) => ({
        openTime: new Date(Number(time)),
        open: required(open),
        high: required(high),
        low: required(low),
        close: required(close),
        volume: required(volume),
      }))
      .sort((a, b) => a.openTime.getTime() - b.openTime.getTime());
  }

  async fetchBalances(options?: CallOptions): Promise<Balances> {
    const balance = await this.call('balances', 'read', options?.lane ?? 'market-data', () => this.client.fetchBalance());
    const out: Balances = {};
    const free = (balance.free ?? {}) as unknown as Record<string, unknown>;
    const used = (balance.used ?? {}) as unknown as Record<string, unknown>;
    const total = (balance.total ?? {}) as unknown as Record<string, unknown>;
    for (const asset of Object.keys(total)) {
      const entry = { asset, free: required(free[asset]), locked: required(used[asset]), total: required(total[asset]) };
      if (!entry.total.isZero() || !entry.free.isZero()) out[asset] = entry;
    }
    return out;
  }

  async fetchTradingFee(symbol: string): Promise<TradingFee> {
    await this.market(symbol);
    return this.call('tradingFee', 'read', 'market-data', () => this.fetchTradingFeeOnExchange(symbol));
  }

  /** Unknown unless the venue reports a key's permissions (BinanceGateway does). */
  fetchKeyPermissions(): Promise<KeyPermissions | undefined> {
    return Promise.resolve(undefined);
  }

  // ---- orders ----

  async createOrder(request: PlaceOrderRequest, options?: CallOptions): Promise<ExchangeOrder> {
    await this.market(request.symbol);
    const order = await this.call(
      'createOrder',
      'create-order',
      options?.lane ?? 'order',
      () => this.createOrderOnExchange(request),
      undefined,
      request.clientOrderId,
    );
    return this.toOrder(order, request);
  }

  async cancelOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.market(symbol);
    return this.toOrder(
      await this.call('cancelOrder', 'order', options?.lane ?? 'order', () => this.client.cancelOrder(exchangeOrderId, symbol)),
    );
  }

  async cancelOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.market(symbol);
    return this.toOrder(
      await this.call(
        'cancelOrder',
        'order',
        options?.lane ?? 'order',
        () => this.cancelOrderByClientIdOnExchange(symbol, clientOrderId),
        undefined,
        clientOrderId,
      ),
    );
  }

  async fetchOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.market(symbol);
    return this.toOrder(
      await this.call('fetchOrder', 'order', options?.lane ?? 'order', () => this.client.fetchOrder(exchangeOrderId, symbol)),
    );
  }

  async fetchOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.market(symbol);
    return this.toOrder(
      await this.call(
        'fetchOrder',
        'order',
        options?.lane ?? 'order',
        () => this.fetchOrderByClientIdOnExchange(symbol, clientOrderId),
        undefined,
        clientOrderId,
      ),
    );
  }

  async fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<ExchangeOrder[]> {
    if (symbol) await this.market(symbol);
    else await this.fetchMarkets();
    const orders = await this.call('openOrders', 'read', options?.lane ?? 'order', () => this.client.fetchOpenOrders(symbol), {
      symbol: symbol !== undefined,
    });
    return orders.map((o) => this.toOrder(o));
  }

  async fetchMyTrades(symbol: string, since?: Date, options?: CallOptions): Promise<ExchangeTrade[]> {
    await this.market(symbol);
    const trades = await this.call('myTrades', 'read', options?.lane ?? 'order', () => this.client.fetchMyTrades(symbol, since?.getTime()));
    return trades.map((t) => toTrade(t)).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  }

  // ---- plumbing ----

  /**
   * Every exchange request goes through here: paced by the governor in its lane, its usage
   * headers read back, its error translated; reads retried on temporary failures, never orders.
   */
  protected async call<T>(
    name: CallName,
    kind: CallKind,
    lane: RequestLane,
    run: () => Promise<T>,
    detail?: CallDetail,
    clientOrderId?: string,
  ): Promise<T> {
    const attempts = kind === 'read' ? (this.options.readAttempts ?? 3) : 1;
    for (let attempt = 1; ; attempt++) {
      // When the request left the governor's queue for the exchange (0: it never did).
      const sent = { at: 0 };
      try {
        const result = await this.attempt(name, lane, run, detail, sent);
        this.options.observer?.succeeded();
        return result;
      } catch (error) {
        const translated = this.failed(error, kind, clientOrderId);
        this.measureFailure(name, sent.at, translated);
        if (attempt >= attempts || !isTemporaryExchangeError(translated)) {
          // An order call whose outcome is unknown timed out or met a 5xx: the exchange did not answer either.
          if (isTemporaryExchangeError(translated) || translated instanceof OutcomeUnknown) this.options.observer?.failed(translated);
          throw translated;
        }
        // A rate-limited read waits for the governor's pause instead.
        if (!(translated instanceof ExchangeRateLimited)) await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** One try of a call: markets first, then the call in its lane; a success's latency is recorded. */
  private async attempt<T>(
    name: CallName,
    lane: RequestLane,
    run: () => Promise<T>,
    detail: CallDetail | undefined,
    sent: { at: number },
  ): Promise<T> {
    const started = Date.now();
    const metrics = this.options.metrics;
    // Markets first: they carry the exchange's published limits (Binance exchangeInfo).
    if (name !== 'markets') await this.fetchMarkets();
    const cost = this.costOf(name, detail);
    const queuedAt = performance.now();
    metrics?.exchangeRequestQueued(this.exchange, lane);
    // Usage headers are read before the governor counts the call as done, so the next start knows them.
    const result = await this.governor.run(lane, cost, async () => {
      sent.at = performance.now();
      metrics?.exchangeRequestStarted(this.exchange, lane, (sent.at - queuedAt) / 1000);
      try {
        return await run();
      } finally {
        this.observe();
      }
    });
    metrics?.exchangeRequestEnded({ exchange: this.exchange, endpoint: name, seconds: (performance.now() - sent.at) / 1000 });
    this.health.lastLatencyMs = Date.now() - started;
    this.health.lastSuccessAt = new Date();
    return result;
  }

  /** A request that reached the exchange (`sentAt` > 0) and failed: its duration and error class, for the metrics. */
  private measureFailure(name: CallName, sentAt: number, translated: Error): void {
    if (sentAt === 0) return;
    this.options.metrics?.exchangeRequestEnded({
      exchange: this.exchange,
      endpoint: name,
      seconds: (performance.now() - sentAt) / 1000,
      errorCode: (translated as { code?: string }).code ?? 'UNTRANSLATED',
    });
  }

  /** The failure as tradedesk's error; a 429 pauses the governor, a temporary failure is recorded in the health. */
  private failed(error: unknown, kind: CallKind, clientOrderId: string | undefined): Error {
    const headers = this.lastHeaders();
    const translated = translateCcxtError(error, { exchange: this.exchange, kind, clientOrderId, headers });
    if (translated instanceof ExchangeRateLimited) this.governor.pause(translated.retryAfterMs ?? 1000);
    if (isTemporaryExchangeError(translated)) {
      this.health.lastFailureAt = new Date();
      this.health.lastError = translated.message;
    }
    return translated;
  }

  private observe(): void {
    const headers = this.lastHeaders();
    if (headers) this.observeHeaders(headers);
  }

  private lastHeaders(): Record<string, string> | undefined {
    const raw = (this.client as unknown as { last_response_headers?: Record<string, string> }).last_response_headers;
    if (!raw) return undefined;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) headers[key.toLowerCase()] = String(value);
    return headers;
  }

  /** The exchange's own state word in its raw answer; ccxt's unified status where the answer has none. */
  protected exchangeStateOf(order: CcxtOrder): string {
    return order.status ?? 'unknown';
  }

  protected toOrder(order: CcxtOrder, sent?: PlaceOrderRequest): ExchangeOrder {
    return toExchangeOrder(order, this.exchangeStateOf(order), sent);
  }
}
