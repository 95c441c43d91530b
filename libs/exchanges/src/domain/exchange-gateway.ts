import type { Decimal } from '@tradedesk/shared';
import type { Candle, CandleTimeframe } from './candles.js';

/** Exchanges tradedesk speaks to (spot only). */
export type ExchangeId = 'binance' | 'upbit';
export const EXCHANGE_IDS: readonly ExchangeId[] = ['binance', 'upbit'];

/**
 * How an account reaches its exchange: `live` real keys, `testnet` Binance spot testnet,
 * `paper` live public market data with simulated fills, `sim` the emulator.
 */
export type AccountMode = 'live' | 'testnet' | 'paper' | 'sim';
export const ACCOUNT_MODES: readonly AccountMode[] = ['live', 'testnet', 'paper', 'sim'];

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
export type ExchangeOrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

/**
 * Priority lane of a call in the per-account rate governor: protective exits (stop-loss,
 * liquidation) first, then other orders, then market data — a stop never waits behind a poll.
 */
export type RequestLane = 'protective' | 'order' | 'market-data';

export interface CallOptions {
  /** Defaults: `order` for order calls, `market-data` for reads. */
  lane?: RequestLane;
  /**
   * Read from the exchange now instead of answering from the cache (the answer still refreshes the
   * cache for others): the condition scheduler must see the price of this tick, not of the last second.
   */
  fresh?: boolean;
}

/** What an exchange can do natively; the rest tradedesk emulates server-side. */
export interface ExchangeCapabilities {
  nativeStopLoss: boolean;
  nativeOco: boolean;
  /** A market buy sized in quote currency (`cost`). */
  marketBuyByCost: boolean;
  /** Exchange-wide minimum order value, when there is one (Upbit: 5,000 KRW); otherwise per market (`Market.minNotional`). */
  minOrderValue?: { currency: string; amount: Decimal };
  /** `tick-size`: one step per market; `krw-price-table`: Upbit's price-dependent KRW steps. */
  priceStepRule: 'tick-size' | 'krw-price-table';
  /** Order requests allowed per window, per account. */
  orderRateBudget: { orders: number; windowMs: number };
  /** Binance accepts a used client order id again once the first order is done; Upbit never. */
  clientOrderIdReuse: 'after-order-done' | 'never';
  quoteCurrencies: string[];
  /** Whether its tickers carry the best bid and ask (Upbit's carry only the last trade price). */
  tickerBidAsk: boolean;
}

export interface Market {
  /** ccxt form: `BTC/USDT`, `BTC/KRW`. */
  symbol: string;
  /** The exchange's own id: `BTCUSDT`, `KRW-BTC`. */
  exchangeSymbol: string;
  base: string;
  quote: string;
  active: boolean;
  /** Amount step (Binance LOT_SIZE stepSize; Upbit 1e-8). */
  amountStep: Decimal;
  /** Price tick; absent where a price-dependent table applies (Upbit KRW). */
  priceStep?: Decimal;
  minAmount?: Decimal;
  maxAmount?: Decimal;
  minPrice?: Decimal;
  maxPrice?: Decimal;
  /** Minimum order value in the quote currency (Binance NOTIONAL minNotional; Upbit 5,000 KRW). */
  minNotional?: Decimal;
  maxNotional?: Decimal;
  /** Fee rates as fractions (0.001 = 0.1 %), as listed; the account's own rate comes from `fetchTradingFee`. */
  makerFee?: Decimal;
  takerFee?: Decimal;
  /**
   * Upbit's caution flag: the market is designated for investment warning or has a caution reason
   * set (price fluctuations, volume soaring…). Trading stays open; tradedesk warns. Always false on Binance.
   */
  caution: boolean;
  /** What Upbit flags: `WARNING` for the designation, then each caution reason (e.g. `PRICE_FLUCTUATIONS`). */
  cautionReasons: string[];
}

export interface Ticker {
  symbol: string;
  last: Decimal;
  bid?: Decimal;
  ask?: Decimal;
  high?: Decimal;
  low?: Decimal;
  baseVolume?: Decimal;
  quoteVolume?: Decimal;
  /** 24 h change in percent. */
  percentage?: Decimal;
  timestamp: Date;
}

export interface OrderBookLevel {
  price: Decimal;
  amount: Decimal;
}

export interface OrderBook {
  symbol: string;
  /** Best first. */
  bids: OrderBookLevel[];
  asks: OrderBookLevel[];
  timestamp: Date;
}

export interface AssetBalance {
  asset: string;
  free: Decimal;
  locked: Decimal;
  total: Decimal;
}

/** Balances keyed by asset; assets with nothing are left out. */
export type Balances = Record<string, AssetBalance>;

export interface TradingFee {
  symbol: string;
  /** Fractions: 0.001 = 0.1 %. */
  maker: Decimal;
  taker: Decimal;
}

/**
 * An order as tradedesk sends it. `amount` in base units (limit orders, market sells, market buys
 * by amount); `cost` in quote units for a market buy by cost; `price` for limit orders.
 */
export interface PlaceOrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
  /** Derived from tradedesk's own order id; Binance `newClientOrderId`, Upbit `identifier`. */
  clientOrderId: string;
}

/**
 * A sell of one amount as two linked orders (Binance `orderList/oco`): a take-profit resting above
 * the market (LIMIT_MAKER) and a stop below it (STOP_LOSS at market, or STOP_LOSS_LIMIT when
 * `stopLoss.price` is given). When one leg executes the exchange expires the other.
 */
export interface OcoSellRequest {
  symbol: string;
  amount: Decimal;
  /** Binance `listClientOrderId`, derived from tradedesk's own ids like every client order id. */
  listClientOrderId: string;
  takeProfit: { price: Decimal; clientOrderId: string };
  stopLoss: { stopPrice: Decimal; price?: Decimal; clientOrderId: string };
}

/** The exchange's answer to an OCO: the list and both legs as orders. */
export interface ExchangeOrderList {
  exchangeListId: string;
  listClientOrderId: string;
  takeProfit: ExchangeOrder;
  stopLoss: ExchangeOrder;
}

export interface ExchangeTrade {
  tradeId: string;
  orderId: string;
  symbol: string;
  side?: OrderSide;
  price: Decimal;
  amount: Decimal;
  /** Fee paid, in `feeCurrency` (zero when the exchange reported none). */
  fee: Decimal;
  feeCurrency?: string;
  timestamp: Date;
}

export interface ExchangeOrder {
  exchangeOrderId: string;
  clientOrderId?: string;
  symbol: string;
  side: OrderSide;
  type: string;
  /**
   * What the order means for tradedesk; `closed` is filled. An Upbit market buy by KRW cost that
   * executed is `closed` whatever Upbit calls it (see `settleUpbitMarketBuyByCost`).
   */
  status: ExchangeOrderStatus;
  /** The exchange's own word for the order's state (Binance `status` such as `EXPIRED`, Upbit `state` such as `cancel`), for the timeline. */
  exchangeState: string;
  /** Base amount ordered (for a market buy by cost: what was filled once done). */
  amount?: Decimal;
  filled: Decimal;
  remaining?: Decimal;
  price?: Decimal;
  average?: Decimal;
  /** Quote value filled so far. */
  cost: Decimal;
  fee?: { cost: Decimal; currency?: string };
  timestamp: Date;
  trades?: ExchangeTrade[];
}

/**
 * The one door to an exchange account. Adapters translate every exchange error into the classes
 * of `exchange.errors.ts`; order-creating calls are never retried inside the gateway.
 */
export interface ExchangeGateway {
  readonly exchange: ExchangeId;
  readonly mode: AccountMode;
  readonly capabilities: ExchangeCapabilities;

  /** Spot markets of the exchange (cached for a long time). */
  fetchMarkets(): Promise<Market[]>;
  /**
   * One market; NotFoundError `MARKET.NOT_FOUND` when the exchange does not list it. Markets load
   * once and are kept; `fresh` reads the exchange's market list again first (one request), for
   * what changes while tradedesk runs, such as Upbit's caution flag.
   */
  market(symbol: string, options?: CallOptions): Promise<Market>;
  /** One batched request for many symbols (cached ~1 s). */
  fetchTickers(symbols: string[], options?: CallOptions): Promise<Record<string, Ticker>>;
  fetchTicker(symbol: string, options?: CallOptions): Promise<Ticker>;
  fetchOrderBook(symbol: string, depth?: number, options?: CallOptions): Promise<OrderBook>;
  /** The latest `limit` candles of a market, oldest first (the last one still forming). */
  fetchCandles(symbol: string, timeframe: CandleTimeframe, limit: number, options?: CallOptions): Promise<Candle[]>;
  fetchBalances(options?: CallOptions): Promise<Balances>;
  fetchTradingFee(symbol: string): Promise<TradingFee>;

  /** Sends the order once. A timeout, 5xx or Binance -1007 raises OutcomeUnknown: look it up by client order id, never resend. */
  createOrder(request: PlaceOrderRequest, options?: CallOptions): Promise<ExchangeOrder>;
  /**
   * Places an OCO sell natively; present only where `capabilities.nativeOco` is true. Sent once,
   * like createOrder: an unknown outcome is resolved leg by leg by client order id, never resent.
   */
  createOcoSell?(request: OcoSellRequest, options?: CallOptions): Promise<ExchangeOrderList>;
  cancelOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder>;
  cancelOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder>;
  fetchOrder(symbol: string, exchangeOrderId: string, options?: CallOptions): Promise<ExchangeOrder>;
  fetchOrderByClientOrderId(symbol: string, clientOrderId: string, options?: CallOptions): Promise<ExchangeOrder>;
  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<ExchangeOrder[]>;
  /** The account's fills in one market, oldest first. */
  fetchMyTrades(symbol: string, since?: Date, options?: CallOptions): Promise<ExchangeTrade[]>;
  /**
   * What the API key may do, where the exchange reports it (Binance `GET /sapi/v1/account/apiRestrictions`);
   * undefined where it cannot say (Upbit has no such call; Binance's spot testnet serves no /sapi).
   */
  fetchKeyPermissions?(): Promise<KeyPermissions | undefined>;
}

/** An API key's permissions as its exchange reports them. */
export interface KeyPermissions {
  canWithdraw: boolean;
  canTrade: boolean;
}
