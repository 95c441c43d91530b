import { Decimal, ZERO } from '@tradedesk/shared';
import { InsufficientFunds, InvalidOrder } from '../exchange.errors.js';
import type {
  ExchangeId,
  ExchangeOrderStatus,
  Market,
  OrderBook,
  OrderBookLevel,
  OrderSide,
  OrderType,
  PlaceOrderRequest,
  Ticker,
  TradingFee,
} from '../exchange-gateway.js';
import { type BookFill, type BookWalk, walkBook } from './book-walk.js';
import type { PaperWallet } from './paper-wallet.js';

/**
 * The fill simulation of paper accounts: orders executed against the live order book of the
 * account's exchange, settled into a wallet the way that exchange's own matching engine settles
 * them. Pure: the caller supplies the book, the prices and the stored state, and persists what
 * comes back.
 */

/** How a venue charges fees and ends orders: what a paper account copies from the real exchange. */
export interface PaperVenueRules {
  /** Binance takes its fee from what the trade brings in (base on a buy, quote on a sell); Upbit always in KRW. */
  feeAsset: 'received' | 'quote';
  /** Upbit locks the fee of a bid on top of its value; Binance does not. */
  reservesBuyFee: boolean;
  /** A market order the book could not complete ends EXPIRED on Binance and `cancel` on Upbit. */
  incompleteMarketStatus: Extract<ExchangeOrderStatus, 'expired' | 'canceled'>;
  /** Upbit ends a market buy sized in KRW as `cancel` whenever any KRW of it is left unspent. */
  leftoverCostCancels: boolean;
  /** The exchange's own code for an order it refuses for lack of funds, per side. */
  insufficientFundsCode: Record<OrderSide, string>;
  duplicateClientOrderIdCode: string;
  orderNotFoundCode: string;
}

export const PAPER_VENUE_RULES: Record<ExchangeId, PaperVenueRules> = {
  binance: {
    feeAsset: 'received',
    reservesBuyFee: false,
    incompleteMarketStatus: 'expired',
    leftoverCostCancels: false,
    insufficientFundsCode: { buy: '-2010', sell: '-2010' },
    duplicateClientOrderIdCode: '-2010',
    orderNotFoundCode: '-2013',
  },
  upbit: {
    feeAsset: 'quote',
    reservesBuyFee: true,
    incompleteMarketStatus: 'canceled',
    leftoverCostCancels: true,
    insufficientFundsCode: { buy: 'insufficient_funds_bid', sell: 'insufficient_funds_ask' },
    duplicateClientOrderIdCode: 'duplicate_identifier',
    orderNotFoundCode: 'order_not_found',
  },
};

/** Listed base-level fee rates, for a listing that carries none (ccxt lists both). */
export const PAPER_DEFAULT_FEE_RATES: Record<ExchangeId, Decimal> = { binance: new Decimal('0.001'), upbit: new Decimal('0.0005') };

/** Fees are charged in whole units of 1e-8, rounded up: a paper fill never costs less than the exchange would take. */
export const FEE_DECIMALS = 8;

/** Scale of every stored decimal (numeric(36,18)): averages are cut to it so both drivers keep the same figure. */
export const STORED_DECIMALS = 18;

/** What a paper order needs to know about its market. */
export interface PaperVenue {
  exchange: ExchangeId;
  market: Pick<Market, 'symbol' | 'base' | 'quote' | 'amountStep'>;
  /** The exchange's listed rates: taker for what takes the book, maker for a resting order that is crossed. */
  fee: Pick<TradingFee, 'maker' | 'taker'>;
}

export interface PaperOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  status: ExchangeOrderStatus;
  /** Base amount ordered; for a market buy sized by cost, what it filled once done. */
  amount?: Decimal;
  price?: Decimal;
  /** Quote budget of a market buy sized by cost. */
  requestedCost?: Decimal;
  filled: Decimal;
  /** Quote value filled, before fees. */
  cost: Decimal;
  /** Fee charged so far, in `feeCurrency`: always the order's accrued fee rounded up to 1e-8. */
  fee: Decimal;
  feeCurrency: string;
  /**
   * Fee before rounding, summed over the order's fills (each fill's basis × its rate). Charging
   * each fill the growth of the rounded total keeps the order's fee one rounding away from exact,
   * however many fills — so what a buy reserved always covers what it pays.
   */
  feeAccrued: Decimal;
  /** Asset the order holds locked while it rests (quote for a buy, base for a sell). */
  reservedAsset: string;
  /** What the order still holds locked. */
  reserved: Decimal;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaperTrade {
  id: string;
  orderId: string;
  symbol: string;
  side: OrderSide;
  price: Decimal;
  amount: Decimal;
  fee: Decimal;
  feeCurrency: string;
  feeRate: Decimal;
  /** A resting order crossed by the market (maker rate) rather than one that took the book (taker rate). */
  maker: boolean;
  executedAt: Date;
}

export interface PaperClock {
  now: Date;
  newId(): string;
}

function ceilTo(value: Decimal, decimals: number): Decimal {
  return value.toDecimalPlaces(decimals, Decimal.ROUND_UP);
}

function minOf(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

/** The fee currency of an order on a venue: Binance charges what the trade brings in, Upbit KRW. */
export function feeCurrencyOf(exchange: ExchangeId, side: OrderSide, market: Pick<Market, 'base' | 'quote'>): string {
  return PAPER_VENUE_RULES[exchange].feeAsset === 'received' && side === 'buy' ? market.base : market.quote;
}

/** What an Upbit-style bid locks besides its value: the fee at the higher of the two rates, rounded up. */
function buyFeeReserve(venue: PaperVenue, value: Decimal): Decimal {
  if (!PAPER_VENUE_RULES[venue.exchange].reservesBuyFee) return ZERO;
  return ceilTo(value.mul(maxOf(venue.fee.maker, venue.fee.taker)), FEE_DECIMALS);
}

/**
 * Whether the market, as last polled, trades through a resting limit: for a buy, someone offers
 * at or below it (best ask) or a trade printed below it; for a sell the mirror. Either means the
 * live book would have matched the order.
 */
export function restingOrderCrossed(order: Pick<PaperOrder, 'side' | 'price'>, ticker: Pick<Ticker, 'last' | 'bid' | 'ask'>): boolean {
  const limit = order.price;
  if (!limit) return false;
  if (order.side === 'buy') return (ticker.ask !== undefined && ticker.ask.lessThanOrEqualTo(limit)) || ticker.last.lessThan(limit);
  return (ticker.bid !== undefined && ticker.bid.greaterThanOrEqualTo(limit)) || ticker.last.greaterThan(limit);
}

function insufficient(venue: PaperVenue, side: OrderSide, asset: string, needed: Decimal, free: Decimal): InsufficientFunds {
  return new InsufficientFunds(
    `Paper account has insufficient balance: the order needs ${needed.toFixed()} ${asset}, ${free.toFixed()} ${asset} is free`,
    { exchange: venue.exchange, exchangeCode: PAPER_VENUE_RULES[venue.exchange].insufficientFundsCode[side], asset, paper: true },
  );
}

function requireFree(venue: PaperVenue, wallet: PaperWallet, side: OrderSide, asset: string, needed: Decimal): void {
  const free = wallet.free(asset);
  if (free.lessThan(needed)) throw insufficient(venue, side, asset, needed, free);
}

/** The exchange's answer to a second order with a client order id it will not take again. */
export function duplicateClientOrderId(venue: Pick<PaperVenue, 'exchange'>, clientOrderId: string): InvalidOrder {
  return new InvalidOrder(venue.exchange === 'binance' ? 'Duplicate order sent.' : `identifier ${clientOrderId} was already used`, {
    exchange: venue.exchange,
    exchangeCode: PAPER_VENUE_RULES[venue.exchange].duplicateClientOrderIdCode,
    clientOrderId,
    paper: true,
  });
}

/** One fill of an order, settled into the wallet: funds out of the order's reserve (or free balance), proceeds and fee. */
function settleFill(
  venue: PaperVenue,
  wallet: PaperWallet,
  order: PaperOrder,
  fill: BookFill,
  maker: boolean,
  clock: PaperClock,
): PaperTrade {
  const { base, quote } = venue.market;
  const rules = PAPER_VENUE_RULES[venue.exchange];
  const rate = maker ? venue.fee.maker : venue.fee.taker;
  const gross = fill.price.mul(fill.amount);
  const feeInBase = order.feeCurrency === base;
  order.feeAccrued = order.feeAccrued.plus((feeInBase ? fill.amount : gross).mul(rate));
  const fee = ceilTo(order.feeAccrued, FEE_DECIMALS).minus(order.fee);

  if (order.side === 'buy') {
    payFromReserve(wallet, order, quote, rules.feeAsset === 'quote' ? gross.plus(fee) : gross);
    wallet.credit(base, feeInBase ? fill.amount.minus(fee) : fill.amount);
  } else {
    payFromReserve(wallet, order, base, fill.amount);
    wallet.credit(quote, gross.minus(fee));
  }

  order.filled = order.filled.plus(fill.amount);
  order.cost = order.cost.plus(gross);
  order.fee = order.fee.plus(fee);
  order.updatedAt = clock.now;
  return {
    id: clock.newId(),
    orderId: order.id,
    symbol: order.symbol,
    side: order.side,
    price: fill.price,
    amount: fill.amount,
    fee,
    feeCurrency: order.feeCurrency,
    feeRate: rate,
    maker,
    executedAt: clock.now,
  };
}

/** Pays out of what the order holds locked, and out of the free balance what the reserve does not cover. */
function payFromReserve(wallet: PaperWallet, order: PaperOrder, asset: string, amount: Decimal): void {
  const fromReserve = minOf(amount, order.reserved);
  if (fromReserve.greaterThan(0)) wallet.spendLocked(asset, fromReserve);
  order.reserved = order.reserved.minus(fromReserve);
  if (amount.greaterThan(fromReserve)) wallet.debit(asset, amount.minus(fromReserve));
}

/** Ends an order: whatever it still holds locked goes back to the free balance. */
function finish(wallet: PaperWallet, order: PaperOrder, status: ExchangeOrderStatus, now: Date): void {
  if (order.reserved.greaterThan(0)) wallet.unlock(order.reservedAsset, order.reserved);
  order.reserved = ZERO;
  order.status = status;
  order.updatedAt = now;
}

/**
 * Places an order the way its exchange would: a market order takes the book at once (taker fee);
 * a limit order first takes whatever the book offers at its price or better, and the rest rests
 * with its funds locked until the market crosses it. Refuses, as the exchange does, an order the
 * free balance cannot cover.
 */
export function placePaperOrder(
  venue: PaperVenue,
  wallet: PaperWallet,
  request: PlaceOrderRequest,
  book: Pick<OrderBook, 'bids' | 'asks'>,
  clock: PaperClock,
): { order: PaperOrder; trades: PaperTrade[] } {
  const order = newPaperOrder(venue, request, clock);
  const levels = request.side === 'buy' ? book.asks : book.bids;
  const trades: PaperTrade[] = [];
  const take = (walk: BookWalk) => {
    for (const fill of walk.fills) trades.push(settleFill(venue, wallet, order, fill, false, clock));
  };

  if (request.type === 'market') {
    const walk = walkMarketOrder(venue, wallet, order, request, levels);
    take(walk);
    const rules = PAPER_VENUE_RULES[venue.exchange];
    if (order.requestedCost) order.amount = order.filled;
    // The fee comes on top of an Upbit budget, so "unspent" compares the value bought with the budget.
    const unspent = rules.leftoverCostCancels && order.requestedCost !== undefined && walk.cost.lessThan(order.requestedCost);
    finish(wallet, order, walk.complete && !unspent ? 'closed' : rules.incompleteMarketStatus, clock.now);
    return { order, trades };
  }

  const price = positiveOrRefuse(venue, request.price, 'price');
  const amount = positiveOrRefuse(venue, request.amount, 'amount');
  const reserve = request.side === 'buy' ? price.mul(amount).plus(buyFeeReserve(venue, price.mul(amount))) : amount;
  requireFree(venue, wallet, request.side, order.reservedAsset, reserve);
  wallet.lock(order.reservedAsset, reserve);
  order.reserved = reserve;
  take(walkBook(levels, request.side, { amount }, venue.market.amountStep, price));
  if (order.filled.greaterThanOrEqualTo(amount)) finish(wallet, order, 'closed', clock.now);
  return { order, trades };
}

/** The order as placed, nothing filled or reserved yet. */
function newPaperOrder(venue: PaperVenue, request: PlaceOrderRequest, clock: PaperClock): PaperOrder {
  const { base, quote } = venue.market;
  const side = request.side;
  return {
    id: clock.newId(),
    clientOrderId: request.clientOrderId,
    symbol: venue.market.symbol,
    side,
    type: request.type,
    status: 'open',
    amount: request.amount,
    price: request.type === 'limit' ? request.price : undefined,
    requestedCost: request.type === 'market' && side === 'buy' && request.amount === undefined ? request.cost : undefined,
    filled: ZERO,
    cost: ZERO,
    fee: ZERO,
    feeCurrency: feeCurrencyOf(venue.exchange, side, venue.market),
    feeAccrued: ZERO,
    reservedAsset: side === 'buy' ? quote : base,
    reserved: ZERO,
    createdAt: clock.now,
    updatedAt: clock.now,
  };
}

/**
 * What a market order takes from the book, once the free balance is known to cover it: a buy by
 * cost its budget (and the fee a venue reserves on top), a buy by amount the value it takes, a sell its amount.
 */
function walkMarketOrder(
  venue: PaperVenue,
  wallet: PaperWallet,
  order: PaperOrder,
  request: PlaceOrderRequest,
  levels: OrderBookLevel[],
): BookWalk {
  const { base, quote, amountStep } = venue.market;
  const side = request.side;
  if (side === 'buy' && order.requestedCost) {
    const budget = order.requestedCost;
    requireFree(venue, wallet, side, quote, budget.plus(buyFeeReserve(venue, budget)));
    return walkBook(levels, side, { cost: budget }, amountStep);
  }
  const amount = positiveOrRefuse(venue, request.amount, 'amount');
  const walk = walkBook(levels, side, { amount }, amountStep);
  if (side === 'buy') requireFree(venue, wallet, side, quote, walk.cost.plus(buyFeeReserve(venue, walk.cost)));
  else requireFree(venue, wallet, side, base, amount);
  return walk;
}

function positiveOrRefuse(venue: PaperVenue, value: Decimal | undefined, field: 'amount' | 'price'): Decimal {
  if (!value || !value.greaterThan(0))
    throw new InvalidOrder(`Paper order refused: ${field} must be a positive decimal`, { exchange: venue.exchange, field, paper: true });
  return value;
}

/**
 * A resting limit order the polled market crossed fills, all of what remains, at its own limit
 * price and the maker rate — the price a resting order gets on the exchange. Nothing when the
 * market has not reached it.
 */
export function fillRestingOrder(
  venue: PaperVenue,
  wallet: PaperWallet,
  order: PaperOrder,
  ticker: Pick<Ticker, 'last' | 'bid' | 'ask'>,
  clock: PaperClock,
): PaperTrade[] {
  if (order.status !== 'open' || order.type !== 'limit' || !order.price || !order.amount) return [];
  if (!restingOrderCrossed(order, ticker)) return [];
  const remaining = order.amount.minus(order.filled);
  const trades = remaining.greaterThan(0) ? [settleFill(venue, wallet, order, { price: order.price, amount: remaining }, true, clock)] : [];
  finish(wallet, order, 'closed', clock.now);
  return trades;
}

/** Cancels an open order and frees what it held; an order already done is the caller's OrderNotFound. */
export function cancelPaperOrder(wallet: PaperWallet, order: PaperOrder, now: Date): void {
  if (order.status !== 'open') throw new Error(`paper order ${order.id} is ${order.status}, not open`);
  finish(wallet, order, 'canceled', now);
}

/** Average fill price cut to the stored scale, so SQLite and PostgreSQL report the same figure. */
export function averagePrice(order: Pick<PaperOrder, 'filled' | 'cost'>): Decimal | undefined {
  return order.filled.greaterThan(0) ? order.cost.div(order.filled).toDecimalPlaces(STORED_DECIMALS, Decimal.ROUND_HALF_EVEN) : undefined;
}

/** Σ basis × rate over an order's stored fills: the unrounded fee the order has accrued. */
export function accruedFee(
  order: Pick<PaperOrder, 'feeCurrency'>,
  base: string,
  trades: Array<Pick<PaperTrade, 'price' | 'amount' | 'feeRate'>>,
): Decimal {
  return trades.reduce((sum, t) => sum.plus((order.feeCurrency === base ? t.amount : t.price.mul(t.amount)).mul(t.feeRate)), ZERO);
}
