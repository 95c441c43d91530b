import { Logger } from '@nestjs/common';
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
  Market,
  OrderBook,
  PlaceOrderRequest,
  Ticker,
  TradingFee,
} from '../../domain/exchange-gateway.js';
import {
  averagePrice,
  PAPER_DEFAULT_FEE_RATES,
  type PaperOrder,
  type PaperTrade,
  type PaperVenue,
} from '../../domain/paper/paper-matching.js';
import { settleUpbitMarketBuyByCost } from '../../domain/upbit-market-buy.js';
import type { PaperOrderView, PaperExchange } from './paper-exchange.js';

/** Levels a paper market order may walk: Binance's cheapest depth weight; Upbit sends what it has. */
export const PAPER_BOOK_DEPTH = 100;

/**
 * A `paper` account through the same port as a live one: public market data from the real
 * exchange (its ccxt adapter without keys, cached like every venue's), and the private side —
 * balances, orders, fills, fees — from the PaperExchange simulation. Every private read first lets
 * the polled prices fill the resting orders they cross, so an order seen by the order tracker,
 * a balance read or a cancel reflects the market as it is now.
 */
export class PaperGateway implements ExchangeGateway {
  readonly mode: AccountMode = 'paper';
  private readonly logger = new Logger('PaperGateway');

  constructor(
    readonly exchange: ExchangeId,
    readonly capabilities: ExchangeCapabilities,
    /** Public data only, through the venue's cache: a gateway holding no keys, so it cannot sign a request even by mistake. */
    private readonly marketData: ExchangeGateway,
    /** The same keyless adapter without the cache: an order is matched against the book as it is now. */
    private readonly liveMarketData: ExchangeGateway,
    private readonly paper: PaperExchange,
    readonly accountId: string,
  ) {}

  // ---- market data: the live exchange ----

  fetchMarkets(): Promise<Market[]> {
    return this.marketData.fetchMarkets();
  }

  market(symbol: string, options?: CallOptions): Promise<Market> {
    return this.marketData.market(symbol, options);
  }

  fetchTickers(symbols: string[], options?: CallOptions): Promise<Record<string, Ticker>> {
    return this.marketData.fetchTickers(symbols, options);
  }

  fetchTicker(symbol: string, options?: CallOptions): Promise<Ticker> {
    return this.marketData.fetchTicker(symbol, options);
  }

  fetchOrderBook(symbol: string, depth?: number, options?: CallOptions): Promise<OrderBook> {
    return this.marketData.fetchOrderBook(symbol, depth, options);
  }

  fetchCandles(symbol: string, timeframe: CandleTimeframe, limit: number, options?: CallOptions): Promise<Candle[]> {
    return this.marketData.fetchCandles(symbol, timeframe, limit, options);
  }

  /** The exchange's listed rates for the market (the base level a new account pays); its private fee endpoint needs keys. */
  async fetchTradingFee(symbol: string): Promise<TradingFee> {
    const market = await this.market(symbol);
    const fallback = PAPER_DEFAULT_FEE_RATES[this.exchange];
    return { symbol: market.symbol, maker: market.makerFee ?? fallback, taker: market.takerFee ?? fallback };
  }

  // ---- private side: the simulation ----

  async fetchBalances(options?: CallOptions): Promise<Balances> {
    await this.fillCrossedOrders(undefined, options);
    return this.paper.balances(this.accountId);
  }

  async createOrder(request: PlaceOrderRequest, options?: CallOptions): Promise<ExchangeOrder> {
    const venue = await this.venue(request.symbol);
    // Earlier orders the market has crossed fill first, as they would have on the exchange.
    await this.fillCrossedOrders([venue.market.symbol], options);
    // Never a cached book: a stop fired on this tick's price must fill on this tick's book, as it would live.
    const book = await this.liveMarketData.fetchOrderBook(venue.market.symbol, PAPER_BOOK_DEPTH, { lane: options?.lane ?? 'order' });
    const placed = await this.paper.place(
      this.accountId,
      venue,
      this.capabilities.clientOrderIdReuse,
      { ...request, symbol: venue.market.symbol },
      book,
    );
    return toExchangeOrder(this.exchange, placed);
  }

  async cancelOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.fillCrossedOrders([(await this.market(symbol)).symbol], options);
    return toExchangeOrder(this.exchange, await this.paper.cancel(this.accountId, this.exchange, { id: exchangeOrderId }));
  }

  async cancelOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.fillCrossedOrders([(await this.market(symbol)).symbol], options);
    return toExchangeOrder(this.exchange, await this.paper.cancel(this.accountId, this.exchange, { clientOrderId }));
  }

  async fetchOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.fillCrossedOrders([(await this.market(symbol)).symbol], options);
    return toExchangeOrder(this.exchange, await this.paper.order(this.accountId, this.exchange, { id: exchangeOrderId }));
  }

  async fetchOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder> {
    await this.fillCrossedOrders([(await this.market(symbol)).symbol], options);
    return toExchangeOrder(this.exchange, await this.paper.order(this.accountId, this.exchange, { clientOrderId }));
  }

  async fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<ExchangeOrder[]> {
    const market = symbol ? await this.market(symbol) : undefined;
    await this.fillCrossedOrders(market ? [market.symbol] : undefined, options);
    return (await this.paper.openOrders(this.accountId, market?.symbol)).map((view) => toExchangeOrder(this.exchange, view));
  }

  async fetchMyTrades(symbol: string, since?: Date, options?: CallOptions): Promise<ExchangeTrade[]> {
    const market = await this.market(symbol);
    await this.fillCrossedOrders([market.symbol], options);
    return (await this.paper.trades(this.accountId, market.symbol, since)).map(toExchangeTrade);
  }

  /** Nothing to drop: paper balances are read from the database each time, never cached. */
  async invalidateBalances(): Promise<void> {}

  private async venue(symbol: string): Promise<PaperVenue> {
    const [market, fee] = await Promise.all([this.market(symbol), this.fetchTradingFee(symbol)]);
    return { exchange: this.exchange, market, fee };
  }

  /**
   * Lets the polled prices fill the resting orders they cross (of the given markets, or all). When
   * the prices cannot be read the orders stay as they are — no price was seen that could have
   * crossed them — and the read that asked carries on.
   */
  private async fillCrossedOrders(symbols: string[] | undefined, options?: CallOptions): Promise<void> {
    const resting = await this.paper.restingSymbols(this.accountId);
    const watched = symbols ? resting.filter((s) => symbols.includes(s)) : resting;
    if (watched.length === 0) return;
    let prices: { tickers: Record<string, Ticker>; venues: PaperVenue[] };
    try {
      const [tickers, venues] = await Promise.all([
        this.marketData.fetchTickers(watched, { lane: options?.lane ?? 'market-data' }),
        Promise.all(watched.map((s) => this.venue(s))),
      ]);
      prices = { tickers, venues };
    } catch (error) {
      this.logger.warn(
        `paper account ${this.accountId}: resting orders not checked, no prices: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    await this.paper.fillCrossed(this.accountId, this.exchange, new Map(prices.venues.map((v) => [v.market.symbol, v])), prices.tickers);
  }
}

function toExchangeTrade(trade: PaperTrade): ExchangeTrade {
  return {
    tradeId: trade.id,
    orderId: trade.orderId,
    symbol: trade.symbol,
    side: trade.side,
    price: trade.price,
    amount: trade.amount,
    fee: trade.fee,
    feeCurrency: trade.feeCurrency,
    timestamp: trade.executedAt,
  };
}

/** What the exchange itself would call a paper order's state, so a paper timeline reads like a live one. */
function paperExchangeState(exchange: ExchangeId, order: PaperOrder): string {
  if (exchange === 'upbit') return order.status === 'open' ? 'wait' : order.status === 'closed' ? 'done' : 'cancel';
  if (order.status === 'open') return order.filled.gt(0) ? 'PARTIALLY_FILLED' : 'NEW';
  return { closed: 'FILLED', canceled: 'CANCELED', expired: 'EXPIRED', rejected: 'REJECTED' }[order.status];
}

export function toExchangeOrder(exchange: ExchangeId, { order, trades }: PaperOrderView): ExchangeOrder {
  const mapped: ExchangeOrder = {
    exchangeOrderId: order.id,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    exchangeState: paperExchangeState(exchange, order),
    amount: order.amount,
    filled: order.filled,
    remaining: order.amount?.minus(order.filled),
    price: order.price,
    average: averagePrice(order),
    cost: order.cost,
    fee: { cost: order.fee, currency: order.feeCurrency },
    timestamp: order.createdAt,
    ...(trades.length > 0 ? { trades: trades.map(toExchangeTrade) } : {}),
  };
  const byCost = order.type === 'market' && order.side === 'buy' && order.requestedCost !== undefined;
  return exchange === 'upbit' && byCost ? settleUpbitMarketBuyByCost(mapped) : mapped;
}
