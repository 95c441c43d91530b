import { Dec, isMultipleOf, parseDecimal } from '../core/decimal.js';
import type { Account } from '../core/account.js';
import { FEE_RATES } from '../core/settlement.js';
import type { NewOrder } from '../core/sim-orders.js';
import { upbitKrwTick } from '../core/markets.js';
import type { Market } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import type { SimOrder } from '../core/types.js';
import { UpbitError, insufficientFunds, invalidPrice, underMinTotal, validation } from './errors.js';

export type UpbitParams = Record<string, unknown>;

const ORDER_TYPES = new Set(['limit', 'price', 'market', 'best']);

function text(p: UpbitParams, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw validation(`${name} does not have a valid value`);
  return v;
}

function decimal(p: UpbitParams, name: string): Dec | undefined {
  const t = text(p, name);
  if (t === undefined) return undefined;
  const value = parseDecimal(t);
  if (!value || value.isZero()) throw validation(`${name} does not have a valid value`);
  return value;
}

export function upbitMarket(sim: ExchangeSimulator, id: string | undefined): Market {
  const market = id === undefined ? undefined : sim.catalog.get('upbit', id);
  if (!market) throw validation('market does not have a valid value');
  return market;
}

type UpbitSide = 'bid' | 'ask';
type OrderDraft = Omit<NewOrder, 'lockAsset' | 'lockAmount'>;

/** An order request once its words are known to be Upbit's: what the type-specific checks look at. */
interface UpbitOrderRequest {
  market: Market;
  side: UpbitSide;
  ordType: string;
  tif: string | undefined;
  price: Dec | undefined;
  volume: Dec | undefined;
  /** The fields every draft of this request starts from. */
  base: Pick<NewOrder, 'exchange' | 'apiKey' | 'market' | 'clientOrderId' | 'side'>;
}

/** POST /v1/orders: Upbit's checks in Upbit's words, then placement; returns the order as it stands after matching. */
export function placeUpbitOrder(sim: ExchangeSimulator, account: Account, p: UpbitParams): SimOrder {
  const request = readOrderRequest(sim, account, p);
  const { ordType, side } = request;
  let draft: OrderDraft;
  if (ordType === 'limit') draft = limitDraft(sim, request);
  else if (ordType === 'price' || (ordType === 'best' && side === 'bid')) draft = bidByTotalDraft(request);
  else draft = askByVolumeDraft(request, sim.engine.price(request.market));

  const { lockAsset, lockAmount, reservedFee } = reservationOf(draft, request);
  if (account.balance(lockAsset).free.lessThan(lockAmount)) throw insufficientFunds(side, lockAsset);
  const [order] = sim.engine.place([{ ...draft, lockAsset, lockAmount, reservedFee }]);
  return order;
}

/** The request's fields, checked in the order Upbit checks them; the identifier is burnt first. */
function readOrderRequest(sim: ExchangeSimulator, account: Account, p: UpbitParams): UpbitOrderRequest {
  const identifier = text(p, 'identifier');
  // Upbit burns an identifier with the request that carries it, accepted or not.
  if (identifier !== undefined && !sim.store.claimIdentifier(account.apiKey, identifier)) {
    throw new UpbitError(400, 'validation_error', 'identifier is already used; every order needs a new identifier');
  }
  const market = upbitMarket(sim, text(p, 'market'));
  const side = text(p, 'side');
  if (side !== 'bid' && side !== 'ask') throw validation('side is missing, side does not have a valid value');
  const ordType = text(p, 'ord_type');
  if (ordType === undefined || !ORDER_TYPES.has(ordType)) throw validation('ord_type is missing, ord_type does not have a valid value');
  const tif = text(p, 'time_in_force');
  if (tif !== undefined && tif !== 'ioc' && tif !== 'fok' && tif !== 'post_only')
    throw validation('time_in_force does not have a valid value');
  const price = decimal(p, 'price');
  const volume = decimal(p, 'volume');
  const base = {
    exchange: 'upbit' as const,
    apiKey: account.apiKey,
    market,
    clientOrderId: identifier ?? null,
    side: side === 'bid' ? ('buy' as const) : ('sell' as const),
  };
  return { market, side, ordType, tif, price, volume, base };
}

/** `limit`: price on the KRW tick table, volume in steps, at least the minimum total; post_only must not take. */
function limitDraft(sim: ExchangeSimulator, { market, side, tif, price, volume, base }: UpbitOrderRequest): OrderDraft {
  if (price === undefined || volume === undefined) throw validation('price, volume are required for a limit order');
  if (!isMultipleOf(price, upbitKrwTick(price))) throw invalidPrice(side);
  if (!isMultipleOf(volume, market.stepSize)) throw validation('volume does not have a valid value');
  if (price.mul(volume).lessThan(market.minNotional)) throw underMinTotal(side);
  if (tif === 'post_only' && wouldTake(sim, market, side, price)) {
    throw new UpbitError(400, 'post_only_order_would_match', 'post_only 주문이 즉시 체결될 수 있어 주문할 수 없습니다.');
  }
  return {
    ...base,
    kind: 'limit',
    nativeType: 'limit',
    timeInForce: tif === 'post_only' ? null : (tif ?? null),
    price,
    quantity: volume,
  };
}

function wouldTake(sim: ExchangeSimulator, market: Market, side: UpbitSide, price: Dec): boolean {
  const book = sim.engine.book(market);
  const best = side === 'bid' ? book.asks[0]?.price : book.bids[0]?.price;
  return !!best && (side === 'bid' ? price.greaterThanOrEqualTo(best) : price.lessThanOrEqualTo(best));
}

/** `price` (and a `best` bid): a market buy of a KRW total, given as `price`. */
function bidByTotalDraft({ market, side, ordType, tif, price, volume, base }: UpbitOrderRequest): OrderDraft {
  if (side !== 'bid') throw validation('ord_type price is for bids only');
  if (price === undefined) throw validation('price is required');
  if (volume !== undefined) throw validation('volume must not be sent with this ord_type');
  if (ordType === 'best' && tif !== 'ioc' && tif !== 'fok') throw validation('time_in_force is required for best orders');
  if (price.lessThan(market.minNotional)) throw underMinTotal(side);
  return { ...base, kind: 'market', nativeType: ordType, timeInForce: ordType === 'best' ? tif! : null, quoteQuantity: price };
}

/** `market` (and a `best` ask): a market sell of a volume, worth at least the minimum total at the last price. */
function askByVolumeDraft({ market, side, ordType, tif, price, volume, base }: UpbitOrderRequest, last: Dec): OrderDraft {
  if (side !== 'ask') throw validation('ord_type market is for asks only');
  if (volume === undefined) throw validation('volume is required');
  if (price !== undefined) throw validation('price must not be sent with this ord_type');
  if (ordType === 'best' && tif !== 'ioc' && tif !== 'fok') throw validation('time_in_force is required for best orders');
  if (!isMultipleOf(volume, market.stepSize)) throw validation('volume does not have a valid value');
  if (volume.mul(last).lessThan(market.minNotional)) throw underMinTotal(side);
  return { ...base, kind: 'market', nativeType: ordType, timeInForce: ordType === 'best' ? tif! : null, quantity: volume };
}

/** A bid locks its KRW total and the fee on top; an ask its volume. */
function reservationOf(draft: OrderDraft, { market, side }: UpbitOrderRequest): { lockAsset: string; lockAmount: Dec; reservedFee: Dec } {
  if (side === 'ask') return { lockAsset: market.base, lockAmount: draft.quantity!, reservedFee: new Dec(0) };
  const total = draft.quoteQuantity ?? draft.price!.mul(draft.quantity!);
  const reservedFee = total.mul(FEE_RATES.upbit);
  return { lockAsset: market.quote, lockAmount: total.plus(reservedFee), reservedFee };
}
