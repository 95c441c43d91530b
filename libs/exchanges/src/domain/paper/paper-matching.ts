import { Decimal, ZERO } from '@tradedesk/shared';
import { InsufficientFunds, InvalidOrder } from '../exchange.errors.js';
import type {
  AssetBalance,
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

function floorToStep(value: Decimal, step: Decimal): Decimal {
  return value.div(step).floor().mul(step);
}

function minOf(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

/** Balances of one paper account: free and locked per asset, and which assets a change touched. */
export class PaperWallet {
  private readonly balances = new Map<string, { free: Decimal; locked: Decimal }>();
  private readonly touched = new Set<string>();

  constructor(entries: Iterable<{ asset: string; free: Decimal; locked: Decimal }> = []) {
    for (const entry of entries) this.balances.set(entry.asset, { free: entry.free, locked: entry.locked });
  }

  free(asset: string): Decimal {
    return this.balances.get(asset)?.free ?? ZERO;
  }

  locked(asset: string): Decimal {
    return this.balances.get(asset)?.locked ?? ZERO;
  }

  total(asset: string): Decimal {
    return this.free(asset).plus(this.locked(asset));
  }

  assets(): string[] {
    return [...this.balances.keys()].sort();
  }

  /** Free → locked, for an order that rests. The caller has checked the free balance. */
  lock(asset: string, amount: Decimal): void {
    this.change(asset, amount.negated(), amount);
  }

  /** Locked → free, when an order ends holding more than it spent. */
  unlock(asset: string, amount: Decimal): void {
    this.change(asset, amount, amount.negated());
  }

  /** Pays out of what an order holds locked. */
  spendLocked(asset: string, amount: Decimal): void {
    this.change(asset, ZERO, amount.negated());
  }

  credit(asset: string, amount: Decimal): void {
    this.change(asset, amount, ZERO);
  }

  debit(asset: string, amount: Decimal): void {
    this.change(asset, amount.negated(), ZERO);
  }

  /** Balances of the touched assets, for persisting exactly what changed. */
  changed(): AssetBalance[] {
    return [...this.touched].sort().map((asset) => this.balanceOf(asset));
  }

  snapshot(): AssetBalance[] {
    return this.assets().map((asset) => this.balanceOf(asset));
  }

  private balanceOf(asset: string): AssetBalance {
    const free = this.free(asset);
    const locked = this.locked(asset);
    return { asset, free, locked, total: free.plus(locked) };
  }

  private change(asset: string, free: Decimal, locked: Decimal): void {
    const next = { free: this.free(asset).plus(free), locked: this.locked(asset).plus(locked) };
    // A negative balance would be money out of nothing: every caller checks before it moves funds.
    if (next.free.lessThan(0) || next.locked.lessThan(0))
      throw new Error(`paper wallet: ${asset} would go negative (free ${next.free.toFixed()}, locked ${next.locked.toFixed()})`);
    this.balances.set(asset, next);
    this.touched.add(asset);
  }
}

export interface BookFill {
  price: Decimal;
  amount: Decimal;
}

export interface BookWalk {
  fills: BookFill[];
  filled: Decimal;
  /** Quote value of the fills, before fees. */
  cost: Decimal;
  /**
   * An amount: all of it filled. A cost budget: what is left of it buys less than one amount step
   * at the next price. False when the visible book (or the limit) ran out first.
   */
  complete: boolean;
}

/**
 * Takes liquidity level by level, best first: up to `amount` of the base asset, or as much as a
 * quote `cost` buys in whole amount steps, never past `limit`. The book is not consumed — the
 * live exchange's makers are still there for the next order, as they would be a moment later.
 */
export function walkBook(
  levels: OrderBookLevel[],
  side: OrderSide,
  want: { amount: Decimal; cost?: undefined } | { cost: Decimal; amount?: undefined },
  amountStep: Decimal,
  limit?: Decimal,
): BookWalk {
  const fills: BookFill[] = [];
  let filled = ZERO;
  let cost = ZERO;
  let budgetSpent = false;
  for (const level of levels) {
    if (limit && (side === 'buy' ? level.price.greaterThan(limit) : level.price.lessThan(limit))) break;
    let take: Decimal;
    if (want.amount !== undefined) {
      const remaining = want.amount.minus(filled);
      if (remaining.lessThanOrEqualTo(0)) break;
      take = minOf(level.amount, remaining);
    } else {
      const affordable = floorToStep(want.cost.minus(cost).div(level.price), amountStep);
      if (affordable.lessThanOrEqualTo(0)) {
        budgetSpent = true;
        break;
      }
      take = minOf(level.amount, affordable);
    }
    if (take.lessThanOrEqualTo(0)) continue;
    fills.push({ price: level.price, amount: take });
    filled = filled.plus(take);
    cost = cost.plus(take.mul(level.price));
  }
  const complete = want.amount !== undefined ? filled.greaterThanOrEqualTo(want.amount) : budgetSpent || want.cost.equals(cost);
  return { fills, filled, cost, complete };
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
    const spent = rules.feeAsset === 'quote' ? gross.plus(fee) : gross;
    const fromReserve = minOf(spent, order.reserved);
    if (fromReserve.greaterThan(0)) wallet.spendLocked(quote, fromReserve);
    order.reserved = order.reserved.minus(fromReserve);
    if (spent.greaterThan(fromReserve)) wallet.debit(quote, spent.minus(fromReserve));
    wallet.credit(base, feeInBase ? fill.amount.minus(fee) : fill.amount);
  } else {
    const fromReserve = minOf(fill.amount, order.reserved);
    if (fromReserve.greaterThan(0)) wallet.spendLocked(base, fromReserve);
    order.reserved = order.reserved.minus(fromReserve);
    if (fill.amount.greaterThan(fromReserve)) wallet.debit(base, fill.amount.minus(fromReserve));
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
  const { base, quote, amountStep } = venue.market;
  const rules = PAPER_VENUE_RULES[venue.exchange];
  const side = request.side;
  const levels = side === 'buy' ? book.asks : book.bids;
  const order: PaperOrder = {
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
  const trades: PaperTrade[] = [];
  const take = (walk: BookWalk) => {
    for (const fill of walk.fills) trades.push(settleFill(venue, wallet, order, fill, false, clock));
  };

  if (request.type === 'market') {
    let walk: BookWalk;
    if (side === 'buy' && order.requestedCost) {
      const budget = order.requestedCost;
      requireFree(venue, wallet, side, quote, budget.plus(buyFeeReserve(venue, budget)));
      walk = walkBook(levels, side, { cost: budget }, amountStep);
    } else {
      const amount = positiveOrRefuse(venue, request.amount, 'amount');
      walk = walkBook(levels, side, { amount }, amountStep);
      if (side === 'buy') requireFree(venue, wallet, side, quote, walk.cost.plus(buyFeeReserve(venue, walk.cost)));
      else requireFree(venue, wallet, side, base, amount);
    }
    take(walk);
    if (order.requestedCost) order.amount = order.filled;
    // The fee comes on top of an Upbit budget, so "unspent" compares the value bought with the budget.
    const unspent = rules.leftoverCostCancels && order.requestedCost !== undefined && walk.cost.lessThan(order.requestedCost);
    finish(wallet, order, walk.complete && !unspent ? 'closed' : rules.incompleteMarketStatus, clock.now);
    return { order, trades };
  }

  const price = positiveOrRefuse(venue, request.price, 'price');
  const amount = positiveOrRefuse(venue, request.amount, 'amount');
  const reserve = side === 'buy' ? price.mul(amount).plus(buyFeeReserve(venue, price.mul(amount))) : amount;
  requireFree(venue, wallet, side, order.reservedAsset, reserve);
  wallet.lock(order.reservedAsset, reserve);
  order.reserved = reserve;
  take(walkBook(levels, side, { amount }, amountStep, price));
  if (order.filled.greaterThanOrEqualTo(amount)) finish(wallet, order, 'closed', clock.now);
  return { order, trades };
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
