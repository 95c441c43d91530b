import { dec, type Decimal, type MetricsSink, NotFoundError } from '@tradedesk/shared';
import type { Exchange, Market as CcxtMarket, Order as CcxtOrder, Ticker as CcxtTicker, Trade as CcxtTrade } from 'ccxt';
import type {
  AccountMode,
  Balances,
  CallOptions,
  ExchangeCapabilities,
  ExchangeGateway,
  ExchangeId,
  ExchangeOrder,
  ExchangeOrderStatus,
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

export interface CallHealth {
  lastLatencyMs?: number;
  lastSuccessAt?: Date;
  lastFailureAt?: Date;
  lastError?: string;
}

const STATUS: Record<string, ExchangeOrderStatus> = {
  open: 'open',
  closed: 'closed',
  canceled: 'canceled',
  cancelled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
};

/** ccxt runs with `number: String`, so its numbers reach us as strings; a float never holds money. */
export function optionalDec(value: unknown): Decimal | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = dec(String(value));
  return parsed.isFinite() ? parsed : undefined;
}

function required(value: unknown, fallback = '0'): Decimal {
  return optionalDec(value) ?? dec(fallback);
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

  constructor(
    protected readonly options: CcxtGatewayOptions,
    protected readonly governor: RateGovernor,
  ) {
    this.mode = options.mode;
    this.client = this.createClient();
  }

  protected abstract createClient(): Exchange;
  /** Budget units a call spends, e.g. `{ weight: 20 }` or `{ order: 1 }`. */
  protected abstract costOf(call: CallName, detail?: { symbols?: number; depth?: number; symbol?: boolean }): Record<string, number>;
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
    this.marketsLoading ??= this.call('markets', 'read', 'market-data', async () => {
      await this.loadCcxtMarkets();
      const markets = Object.values(this.client.markets ?? {})
        .filter((m): m is CcxtMarket => !!m && m.spot === true)
        .map((m) => this.toMarket(m));
      this.marketsBySymbol = new Map(markets.map((m) => [m.symbol, m]));
      return markets;
    }).catch((error: unknown) => {
      this.marketsLoading = undefined;
      throw error;
    });
    return this.marketsLoading;
  }

  async market(symbol: string): Promise<Market> {
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
    return this.toTicker(ticker);
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
    for (const symbol of unique) if (tickers[symbol]) out[symbol] = this.toTicker(tickers[symbol]);
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
  async fetchKeyPermissions(): Promise<KeyPermissions | undefined> {
    return undefined;
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
    return trades.map((t) => this.toTrade(t)).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
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
    detail?: { symbols?: number; depth?: number; symbol?: boolean },
    clientOrderId?: string,
  ): Promise<T> {
    const attempts = kind === 'read' ? (this.options.readAttempts ?? 3) : 1;
    const metrics = this.options.metrics;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      // When the request left the governor's queue for the exchange (0: it never did).
      let sentAt = 0;
      try {
        // Markets first: they carry the exchange's published limits (Binance exchangeInfo).
        if (name !== 'markets') await this.fetchMarkets();
        const cost = this.costOf(name, detail);
        const queuedAt = performance.now();
        metrics?.exchangeRequestQueued(this.exchange, lane);
        // Usage headers are read before the governor counts the call as done, so the next start knows them.
        const result = await this.governor.run(lane, cost, async () => {
          sentAt = performance.now();
          metrics?.exchangeRequestStarted(this.exchange, lane, (sentAt - queuedAt) / 1000);
          try {
            return await run();
          } finally {
            this.observe();
          }
        });
        metrics?.exchangeRequestEnded({ exchange: this.exchange, endpoint: name, seconds: (performance.now() - sentAt) / 1000 });
        this.health.lastLatencyMs = Date.now() - started;
        this.health.lastSuccessAt = new Date();
        this.options.observer?.succeeded();
        return result;
      } catch (error) {
        const headers = this.lastHeaders();
        const translated = translateCcxtError(error, { exchange: this.exchange, kind, clientOrderId, headers });
        if (sentAt > 0)
          metrics?.exchangeRequestEnded({
            exchange: this.exchange,
            endpoint: name,
            seconds: (performance.now() - sentAt) / 1000,
            errorCode: (translated as { code?: string }).code ?? 'UNTRANSLATED',
          });
        if (translated instanceof ExchangeRateLimited) this.governor.pause(translated.retryAfterMs ?? 1000);
        if (isTemporaryExchangeError(translated)) {
          this.health.lastFailureAt = new Date();
          this.health.lastError = translated.message;
        }
        if (attempt < attempts && isTemporaryExchangeError(translated)) {
          if (!(translated instanceof ExchangeRateLimited)) await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        // An order call whose outcome is unknown timed out or met a 5xx: the exchange did not answer either.
        if (isTemporaryExchangeError(translated) || translated instanceof OutcomeUnknown) this.options.observer?.failed(translated);
        throw translated;
      }
    }
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

  protected toTicker(ticker: CcxtTicker): Ticker {
    return {
      symbol: ticker.symbol ?? '',
      last: required(ticker.last ?? ticker.close),
      bid: optionalDec(ticker.bid),
      ask: optionalDec(ticker.ask),
      high: optionalDec(ticker.high),
      low: optionalDec(ticker.low),
      baseVolume: optionalDec(ticker.baseVolume),
      quoteVolume: optionalDec(ticker.quoteVolume),
      percentage: optionalDec(ticker.percentage),
      timestamp: new Date(ticker.timestamp ?? Date.now()),
    };
  }

  protected toTrade(trade: CcxtTrade): ExchangeTrade {
    return {
      tradeId: String(trade.id),
      orderId: String(trade.order ?? ''),
      symbol: trade.symbol ?? '',
      side: trade.side === 'buy' || trade.side === 'sell' ? trade.side : undefined,
      price: required(trade.price),
      amount: required(trade.amount),
      fee: required(trade.fee?.cost),
      feeCurrency: trade.fee?.currency ?? undefined,
      timestamp: new Date(trade.timestamp ?? Date.now()),
    };
  }

  /** The exchange's own state word in its raw answer; ccxt's unified status where the answer has none. */
  protected exchangeStateOf(order: CcxtOrder): string {
    return order.status ?? 'unknown';
  }

  protected toOrder(order: CcxtOrder, sent?: PlaceOrderRequest): ExchangeOrder {
    const filled = required(order.filled);
    const amount = optionalDec(order.amount) ?? sent?.amount;
    const trades = (order.trades ?? []).map((t) => this.toTrade(t));
    const fee =
      order.fee?.cost !== undefined && order.fee?.cost !== null
        ? { cost: required(order.fee.cost), currency: order.fee.currency ?? undefined }
        : undefined;
    return {
      exchangeOrderId: String(order.id),
      clientOrderId: order.clientOrderId ?? sent?.clientOrderId,
      symbol: order.symbol ?? sent?.symbol ?? '',
      side: (order.side as ExchangeOrder['side']) ?? sent?.side,
      type: order.type ?? sent?.type ?? 'unknown',
      status: STATUS[order.status ?? ''] ?? 'open',
      exchangeState: this.exchangeStateOf(order),
      amount,
      filled,
      remaining: optionalDec(order.remaining) ?? (amount ? amount.minus(filled) : undefined),
      price: optionalDec(order.price),
      average: optionalDec(order.average),
      cost: required(order.cost),
      fee,
      timestamp: new Date(order.timestamp ?? Date.now()),
      ...(trades.length > 0 ? { trades } : {}),
    };
  }
}
