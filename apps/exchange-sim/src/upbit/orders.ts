import { Dec, isMultipleOf, parseDecimal } from '../core/decimal.js';
import type { Account, NewOrder } from '../core/engine.js';
import { FEE_RATES } from '../core/engine.js';
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

/** POST /v1/orders: Upbit's checks in Upbit's words, then placement; returns the order as it stands after matching. */
export function placeUpbitOrder(sim: ExchangeSimulator, account: Account, p: UpbitParams): SimOrder {
  const identifier = text(p, 'identifier');
  // Upbit burns an identifier with the request that carries it, accepted or not.
  if (identifier !== undefined && !sim.store.claimIdentifier(account.apiKey, identifier)) {
    throw new UpbitError(400, 'validation_error', 'identifier is already used; every order needs a new identifier');
  }
  const market = upbitMarket(sim, text(p, 'market'));
  const sideText = text(p, 'side');
  if (sideText !== 'bid' && sideText !== 'ask') throw validation('side is missing, side does not have a valid value');
  const side = sideText;
  const ordType = text(p, 'ord_type');
  if (ordType === undefined || !ORDER_TYPES.has(ordType)) throw validation('ord_type is missing, ord_type does not have a valid value');
  const tif = text(p, 'time_in_force');
  if (tif !== undefined && tif !== 'ioc' && tif !== 'fok' && tif !== 'post_only')
    throw validation('time_in_force does not have a valid value');
  const price = decimal(p, 'price');
  const volume = decimal(p, 'volume');
  const feeRate = FEE_RATES.upbit;
  const last = sim.engine.price(market);

  let draft: Omit<NewOrder, 'lockAsset' | 'lockAmount'>;
  const base = {
    exchange: 'upbit' as const,
    apiKey: account.apiKey,
    market,
    clientOrderId: identifier ?? null,
    side: side === 'bid' ? ('buy' as const) : ('sell' as const),
  };
  if (ordType === 'limit') {
    if (price === undefined || volume === undefined) throw validation('price, volume are required for a limit order');
    if (!isMultipleOf(price, upbitKrwTick(price))) throw invalidPrice(side);
    if (!isMultipleOf(volume, market.stepSize)) throw validation('volume does not have a valid value');
    if (price.mul(volume).lessThan(market.minNotional)) throw underMinTotal(side);
    if (tif === 'post_only') {
      const book = sim.engine.book(market);
      const best = side === 'bid' ? book.asks[0]?.price : book.bids[0]?.price;
      if (best && (side === 'bid' ? price.greaterThanOrEqualTo(best) : price.lessThanOrEqualTo(best))) {
        throw new UpbitError(400, 'post_only_order_would_match', 'post_only 주문이 즉시 체결될 수 있어 주문할 수 없습니다.');
      }
    }
    draft = {
      ...base,
      kind: 'limit',
      nativeType: 'limit',
      timeInForce: tif === 'post_only' ? null : (tif ?? null),
      price,
      quantity: volume,
    };
  } else if (ordType === 'price' || (ordType === 'best' && side === 'bid')) {
    if (side !== 'bid') throw validation('ord_type price is for bids only');
    if (price === undefined) throw validation('price is required');
    if (volume !== undefined) throw validation('volume must not be sent with this ord_type');
    if (ordType === 'best' && tif !== 'ioc' && tif !== 'fok') throw validation('time_in_force is required for best orders');
    if (price.lessThan(market.minNotional)) throw underMinTotal(side);
    draft = { ...base, kind: 'market', nativeType: ordType, timeInForce: ordType === 'best' ? tif! : null, quoteQuantity: price };
  } else {
    if (side !== 'ask') throw validation('ord_type market is for asks only');
    if (volume === undefined) throw validation('volume is required');
    if (price !== undefined) throw validation('price must not be sent with this ord_type');
    if (ordType === 'best' && tif !== 'ioc' && tif !== 'fok') throw validation('time_in_force is required for best orders');
    if (!isMultipleOf(volume, market.stepSize)) throw validation('volume does not have a valid value');
    if (volume.mul(last).lessThan(market.minNotional)) throw underMinTotal(side);
    draft = { ...base, kind: 'market', nativeType: ordType, timeInForce: ordType === 'best' ? tif! : null, quantity: volume };
  }

  let lockAsset: string;
  let lockAmount: Dec;
  let reservedFee = new Dec(0);
  if (side === 'bid') {
    lockAsset = market.quote;
    const total = draft.quoteQuantity ?? draft.price!.mul(draft.quantity!);
    reservedFee = total.mul(feeRate);
    lockAmount = total.plus(reservedFee);
  } else {
    lockAsset = market.base;
    lockAmount = draft.quantity!;
  }
  if (account.balance(lockAsset).free.lessThan(lockAmount)) throw insufficientFunds(side, lockAsset);
  const [order] = sim.engine.place([{ ...draft, lockAsset, lockAmount, reservedFee }]);
  return order;
}
