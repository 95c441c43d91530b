import { randomBytes } from 'node:crypto';
import { Dec, isMultipleOf, parseDecimal } from '../core/decimal.js';
import type { Account } from '../core/account.js';
import { stopWouldTrigger } from '../core/sim-orders.js';
import type { NewOrder } from '../core/sim-orders.js';
import type { Market } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import type { OrderKind, OrderSide, SimOrder } from '../core/types.js';
import {
  BinanceError,
  INSUFFICIENT_BALANCE,
  filterFailure,
  illegalNumber,
  invalidSymbol,
  mandatory,
  notRequired,
  rejected,
} from './errors.js';
import { ORDER_TYPES, newOrderJson, orderListJson } from './serialize.js';
import type { RespType } from './serialize.js';

export type Params = Map<string, string>;

const KNOWN_TYPES = new Set(['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER']);
const KIND_OF: Record<string, OrderKind> = {
  LIMIT: 'limit',
  MARKET: 'market',
  LIMIT_MAKER: 'limit_maker',
  STOP_LOSS_LIMIT: 'stop_loss_limit',
  TAKE_PROFIT_LIMIT: 'take_profit_limit',
};
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Binance-style generated client id (22 alphanumerics) for orders and cancels sent without one. */
export function generatedClientId(): string {
  const bytes = randomBytes(22);
  let id = '';
  for (const b of bytes) id += ALPHANUM[b % ALPHANUM.length];
  return id;
}

export function param(p: Params, name: string): string | undefined {
  const v = p.get(name);
  return v === undefined || v === '' ? undefined : v;
}

export function required(p: Params, name: string): string {
  const v = param(p, name);
  if (v === undefined) throw mandatory(name);
  return v;
}

function decimalParam(p: Params, name: string): Dec | undefined {
  const text = param(p, name);
  if (text === undefined) return undefined;
  const value = parseDecimal(text);
  if (!value) throw illegalNumber(name);
  return value;
}

export function marketParam(sim: ExchangeSimulator, p: Params): Market {
  const market = sim.catalog.get('binance', required(p, 'symbol'));
  if (!market) throw invalidSymbol();
  return market;
}

function checkPrice(market: Market, price: Dec): void {
  if (price.lessThan(market.minPrice) || price.greaterThan(market.maxPrice) || !isMultipleOf(price, market.tickSize!))
    throw filterFailure('PRICE_FILTER');
}

function checkLot(market: Market, qty: Dec, isMarket: boolean): void {
  if (qty.lessThan(market.minQty) || qty.greaterThan(market.maxQty) || !isMultipleOf(qty, market.stepSize)) throw filterFailure('LOT_SIZE');
  if (isMarket && qty.greaterThan(market.marketMaxQty)) throw filterFailure('MARKET_LOT_SIZE');
}

function checkNotional(market: Market, notional: Dec): void {
  if (notional.lessThan(market.minNotional) || notional.greaterThan(market.maxNotional)) throw filterFailure('NOTIONAL');
}

interface Leg {
  kind: OrderKind;
  nativeType: string;
  price?: Dec;
  stopPrice?: Dec;
  timeInForce: string | null;
  clientOrderId: string;
}

function validateTimeInForce(value: string | undefined, needed: boolean, prefix = ''): string | null {
  const name = `${prefix}${prefix ? 'TimeInForce' : 'timeInForce'}`;
  if (!needed) {
    if (value !== undefined) throw notRequired(name);
    return null;
  }
  if (value === undefined) throw mandatory(name);
  if (value !== 'GTC' && value !== 'IOC' && value !== 'FOK') throw new BinanceError(-1115, 'Invalid timeInForce.');
  return value;
}

function validateClientId(value: string | undefined, name: string): string {
  if (value === undefined) return generatedClientId();
  if (!CLIENT_ID.test(value))
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.`);
  return value;
}

function respTypeOf(p: Params, type: string): RespType {
  const value = param(p, 'newOrderRespType');
  if (value === undefined) return type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK';
  if (value !== 'ACK' && value !== 'RESULT' && value !== 'FULL')
    throw new BinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.");
  return value;
}

function sideParam(p: Params): OrderSide {
  const side = required(p, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw new BinanceError(-1117, 'Invalid side.');
  return side === 'BUY' ? 'buy' : 'sell';
}

function typeParam(p: Params, name = 'type'): string {
  const type = required(p, name);
  if (!KNOWN_TYPES.has(type)) throw new BinanceError(-1116, 'Invalid orderType.');
  if (!ORDER_TYPES.includes(type)) throw new BinanceError(-1014, 'Unsupported order combination.');
  return type;
}

function free(account: Account, asset: string): Dec {
  return account.balance(asset).free;
}

function crossesBook(sim: ExchangeSimulator, market: Market, side: OrderSide, price: Dec): boolean {
  const book = sim.engine.book(market);
  const best = side === 'buy' ? book.asks[0] : book.bids[0];
  if (!best) return false;
  return side === 'buy' ? price.greaterThanOrEqualTo(best.price) : price.lessThanOrEqualTo(best.price);
}

/** The figures of a new order, each as sent (absent when not sent). */
interface OrderFigures {
  quantity?: Dec;
  quoteOrderQty?: Dec;
  price?: Dec;
  stopPrice?: Dec;
}

/** POST /api/v3/order (and /order/test when `test`): validation in Binance's order, then placement. */
export function placeOrder(sim: ExchangeSimulator, account: Account, p: Params, test: boolean): Record<string, unknown> {
  const market = marketParam(sim, p);
  const side = sideParam(p);
  const type = typeParam(p);
  const kind = KIND_OF[type];
  const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  const timeInForce = validateTimeInForce(param(p, 'timeInForce'), needsTif);
  const figures: OrderFigures = {
    quantity: decimalParam(p, 'quantity'),
    quoteOrderQty: decimalParam(p, 'quoteOrderQty'),
    price: decimalParam(p, 'price'),
    stopPrice: decimalParam(p, 'stopPrice'),
  };
  const respType = respTypeOf(p, type);
  const last = sim.engine.price(market);

  if (type === 'MARKET') checkMarketOrder(market, figures, last);
  else checkPricedOrder(market, kind, figures);

  const clientOrderId = validateClientId(param(p, 'newClientOrderId'), 'newClientOrderId');
  if (sim.engine.openOrderByClientId('binance', account.apiKey, clientOrderId)) throw rejected('Duplicate order sent.');
  if (kind === 'limit_maker' && crossesBook(sim, market, side, figures.price!)) throw rejected('Order would immediately match and take.');
  if ((kind === 'stop_loss_limit' || kind === 'take_profit_limit') && stopWouldTrigger(kind, side, figures.stopPrice!, last)) {
    throw rejected('Stop price would trigger immediately.');
  }

  const { lockAsset, lockAmount } = reservationOf(sim, market, side, type === 'MARKET', figures);
  if (free(account, lockAsset).lessThan(lockAmount)) throw rejected(INSUFFICIENT_BALANCE);
  if (test) return {};

  const draft: NewOrder = {
    exchange: 'binance',
    apiKey: account.apiKey,
    market,
    clientOrderId,
    side,
    kind,
    nativeType: type,
    timeInForce,
    price: figures.price,
    stopPrice: figures.stopPrice,
    quantity: figures.quantity,
    quoteQuantity: figures.quoteOrderQty,
    lockAsset,
    lockAmount,
  };
  const [order] = sim.engine.place([draft]);
  const fills = respType === 'FULL' ? sim.store.tradesOfOrder('binance', order.id) : [];
  const json = newOrderJson(order, respType, fills);
  if (respType === 'FULL' && fills.length === 0) {
    // A resting order has no fills yet; a zero quote fee lets ccxt report a complete fee.
    json.fee = '0';
    json.quoteAsset = market.quote;
  }
  return json;
}

/** A MARKET order: sized by exactly one of quantity and quoteOrderQty, no price of any kind, within the filters. */
function checkMarketOrder(market: Market, { quantity, quoteOrderQty, price, stopPrice }: OrderFigures, last: Dec): void {
  if (price !== undefined) throw notRequired('price');
  if (stopPrice !== undefined) throw notRequired('stopPrice');
  if (quantity === undefined && quoteOrderQty === undefined)
    throw new BinanceError(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
  if (quantity !== undefined && quoteOrderQty !== undefined) throw notRequired('quoteOrderQty');
  if (quantity !== undefined) {
    checkLot(market, quantity, true);
    checkNotional(market, quantity.mul(last));
    return;
  }
  if (quoteOrderQty!.lessThanOrEqualTo(0)) throw filterFailure('NOTIONAL');
  checkNotional(market, quoteOrderQty!);
}

/** A priced order (limit, limit maker, stop or take-profit limit): price and quantity within the filters, a stop price for the stop kinds only. */
function checkPricedOrder(market: Market, kind: OrderKind, { quantity, quoteOrderQty, price, stopPrice }: OrderFigures): void {
  if (quoteOrderQty !== undefined) throw notRequired('quoteOrderQty');
  if (price === undefined) throw mandatory('price');
  if (quantity === undefined) throw mandatory('quantity');
  checkPrice(market, price);
  checkLot(market, quantity, false);
  checkNotional(market, price.mul(quantity));
  if (kind === 'stop_loss_limit' || kind === 'take_profit_limit') {
    if (stopPrice === undefined) throw mandatory('stopPrice');
    checkPrice(market, stopPrice);
  } else if (stopPrice !== undefined) {
    throw notRequired('stopPrice');
  }
}

/** What the order locks: a buy the quote it may spend (a market buy by quantity: what the book asks for it), a sell its base. */
function reservationOf(
  sim: ExchangeSimulator,
  market: Market,
  side: OrderSide,
  isMarket: boolean,
  { quantity, quoteOrderQty, price }: OrderFigures,
): { lockAsset: string; lockAmount: Dec } {
  if (side === 'sell') {
    const lockAmount = quantity ?? sim.engine.walk(market, 'sell', { quote: quoteOrderQty! }).qty;
    return { lockAsset: market.base, lockAmount };
  }
  if (!isMarket) return { lockAsset: market.quote, lockAmount: price!.mul(quantity!) };
  const lockAmount = quantity !== undefined ? sim.engine.walk(market, 'buy', { qty: quantity }).quote : quoteOrderQty!;
  return { lockAsset: market.quote, lockAmount };
}

function ocoLeg(sim: ExchangeSimulator, market: Market, side: OrderSide, p: Params, prefix: 'above' | 'below', last: Dec): Leg {
  const type = p.get(`${prefix}Type`) === 'STOP_LOSS' ? 'STOP_LOSS' : typeParam(p, `${prefix}Type`);
  if (type === 'MARKET' || type === 'LIMIT') throw new BinanceError(-1014, 'Unsupported order combination.');
  // STOP_LOSS (a market stop) exists here only as an OCO leg.
  const kind = type === 'STOP_LOSS' ? 'stop_loss' : KIND_OF[type];
  const price = decimalParam(p, `${prefix}Price`);
  const stopPrice = decimalParam(p, `${prefix}StopPrice`);
  const isStop = kind !== 'limit_maker';
  checkLegPrices(market, prefix, kind, price, stopPrice);
  const timeInForce = validateTimeInForce(param(p, `${prefix}TimeInForce`), isStop && kind !== 'stop_loss', prefix);
  const clientOrderId = validateClientId(param(p, `${prefix}ClientOrderId`), `${prefix}ClientOrderId`);
  // The leg above the market must sit above the last price and the one below under it, whatever their types.
  const reference = isStop ? stopPrice! : price!;
  const placedRight = prefix === 'above' ? reference.greaterThan(last) : reference.lessThan(last);
  if (!placedRight) throw rejected('The relationship of the prices for the orders is not correct.');
  if (kind === 'limit_maker' && crossesBook(sim, market, side, price!)) throw rejected('Order would immediately match and take.');
  if (isStop && stopWouldTrigger(kind, side, stopPrice!, last)) throw rejected('Stop price would trigger immediately.');
  return { kind, nativeType: type, price, stopPrice, timeInForce, clientOrderId };
}

/** A leg's price (every kind but a market stop) and stop price (every kind but a limit maker), within the price filter. */
function checkLegPrices(
  market: Market,
  prefix: 'above' | 'below',
  kind: OrderKind,
  price: Dec | undefined,
  stopPrice: Dec | undefined,
): void {
  if (kind === 'stop_loss') {
    if (price !== undefined) throw notRequired(`${prefix}Price`);
  } else {
    if (price === undefined) throw mandatory(`${prefix}Price`);
    checkPrice(market, price);
  }
  if (kind !== 'limit_maker') {
    if (stopPrice === undefined) throw mandatory(`${prefix}StopPrice`);
    checkPrice(market, stopPrice);
  } else if (stopPrice !== undefined) {
    throw notRequired(`${prefix}StopPrice`);
  }
}

/** POST /api/v3/orderList/oco with the current above/below parameters. */
export function placeOco(sim: ExchangeSimulator, account: Account, p: Params): Record<string, unknown> {
  const market = marketParam(sim, p);
  const side = sideParam(p);
  const quantity = decimalParam(p, 'quantity');
  if (quantity === undefined) throw mandatory('quantity');
  checkLot(market, quantity, false);
  const last = sim.engine.price(market);
  const above = ocoLeg(sim, market, side, p, 'above', last);
  const below = ocoLeg(sim, market, side, p, 'below', last);
  for (const leg of [above, below]) checkNotional(market, (leg.price ?? leg.stopPrice!).mul(quantity));
  const listClientOrderId = validateClientId(param(p, 'listClientOrderId'), 'listClientOrderId');
  for (const leg of [above, below]) {
    if (sim.engine.openOrderByClientId('binance', account.apiKey, leg.clientOrderId)) throw rejected('Duplicate order sent.');
  }
  if (above.clientOrderId === below.clientOrderId) throw rejected('Duplicate order sent.');
  const respType = respTypeOf(p, 'OCO');

  // Both legs share one reservation: the base for a sell, the dearer leg's cost for a buy.
  const lockAsset = side === 'sell' ? market.base : market.quote;
  const lockAmount = side === 'sell' ? quantity : Dec.max(above.price ?? above.stopPrice!, below.price ?? below.stopPrice!).mul(quantity);
  if (account.balance(lockAsset).free.lessThan(lockAmount)) throw rejected(INSUFFICIENT_BALANCE);

  // Binance lists the stop-type leg first.
  const legs = [below, above].sort((a, b) => Number(a.kind === 'limit_maker') - Number(b.kind === 'limit_maker'));
  const ids = legs.map(() => sim.engine.allocateOrderId('binance'));
  const orderListId = ids[0].seq;
  const drafts: NewOrder[] = legs.map((leg, i) => ({
    exchange: 'binance',
    apiKey: account.apiKey,
    market,
    clientOrderId: leg.clientOrderId,
    side,
    kind: leg.kind,
    nativeType: leg.nativeType,
    timeInForce: leg.timeInForce,
    price: leg.price,
    stopPrice: leg.stopPrice,
    quantity,
    lockAsset,
    lockAmount: i === 0 ? lockAmount : new Dec(0),
    orderListId,
    listClientOrderId,
  }));
  const orders = sim.engine.place(drafts, ids);
  return orderListJson(orders, listClientOrderId, orders[0].createdAt, respType === 'ACK' ? 'RESULT' : respType);
}

export function findListLegs(sim: ExchangeSimulator, account: Account, p: Params): SimOrder[] {
  const listId = param(p, 'orderListId');
  const listClientId = param(p, 'listClientOrderId') ?? param(p, 'origClientOrderId');
  if (listId === undefined && listClientId === undefined) {
    throw new BinanceError(-1102, "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!");
  }
  const legs = sim.store.ordersOfList(
    'binance',
    account.apiKey,
    listId !== undefined ? { orderListId: Number(listId) } : { listClientOrderId: listClientId },
  );
  if (legs.length === 0 || (listId !== undefined && !/^\d+$/.test(listId))) throw new BinanceError(-2011, 'Order list does not exist.');
  // Legs that are still open are the live objects, not their stored copies.
  return legs.map((leg) => sim.engine.findOrder('binance', account.apiKey, { id: leg.id }) ?? leg);
}
