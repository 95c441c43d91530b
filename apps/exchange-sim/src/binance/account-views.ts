/** Binance's answers about an account: balances, its orders and trades, and the coin list. */
import { fixed8 } from '../core/decimal.js';
import type { Account } from '../core/account.js';
import { FEE_RATES } from '../core/settlement.js';
import type { ExchangeSimulator } from '../core/sim.js';
import type { SimOrder } from '../core/types.js';
import { byCodeUnits } from '../core/code-unit-order.js';
import { intParam } from './market-data.js';
import { marketParam, param } from './orders.js';
import type { Params } from './orders.js';
import { fillJson, myTradeJson, orderQueryJson } from './serialize.js';

export function accountJson(sim: ExchangeSimulator, account: Account, params: Params, now: number): unknown {
  const omitZero = param(params, 'omitZeroBalances') === 'true';
  const assets = new Set([...sim.catalog.assets('binance'), ...account.balances.keys()]);
  const balances = [...assets]
    .sort(byCodeUnits)
    .map((asset) => account.balance(asset))
    .filter((b) => !omitZero || !b.free.plus(b.locked).isZero())
    .map((b) => ({ asset: b.asset, free: fixed8(b.free), locked: fixed8(b.locked) }));
  const fee = fixed8(FEE_RATES.binance);
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: fee, taker: fee, buyer: '0.00000000', seller: '0.00000000' },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances,
    permissions: ['SPOT'],
    uid: uidOf(account.apiKey),
  };
}

/**
 * The order as GET /api/v3/order shows it, plus what ccxt needs for a complete fee: the fills
 * (Binance itself only returns them on placement) or, before any fill, a zero fee in the quote.
 */
export function orderJson(sim: ExchangeSimulator, order: SimOrder): Record<string, unknown> {
  const json = orderQueryJson(order);
  return withFees(sim, order, json);
}

export function allOrders(sim: ExchangeSimulator, account: Account, params: Params): unknown {
  const market = marketParam(sim, params);
  const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
  const orderId = param(params, 'orderId');
  const startTime = param(params, 'startTime');
  const endTime = param(params, 'endTime');
  const orders = sim.store.listOrders({
    exchange: 'binance',
    apiKey: account.apiKey,
    marketId: market.id,
    fromSeq: orderId !== undefined ? intParam(params, 'orderId', 0) : undefined,
    startTime: startTime !== undefined ? intParam(params, 'startTime', 0) : undefined,
    endTime: endTime !== undefined ? intParam(params, 'endTime', 0) : undefined,
    newestFirst: orderId === undefined && startTime === undefined,
    limit,
  });
  if (orderId === undefined && startTime === undefined) orders.reverse();
  return orders.map((o) => orderJson(sim, sim.engine.findOrder('binance', account.apiKey, { id: o.id }) ?? o));
}

export function myTrades(sim: ExchangeSimulator, account: Account, params: Params): unknown {
  const market = marketParam(sim, params);
  const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
  const fromId = param(params, 'fromId');
  const startTime = param(params, 'startTime');
  const endTime = param(params, 'endTime');
  return sim.store
    .listTrades({
      exchange: 'binance',
      apiKey: account.apiKey,
      marketId: market.id,
      orderId: param(params, 'orderId'),
      fromSeq: fromId !== undefined ? intParam(params, 'fromId', 0) : undefined,
      startTime: startTime !== undefined ? intParam(params, 'startTime', 0) : undefined,
      endTime: endTime !== undefined ? intParam(params, 'endTime', 0) : undefined,
      limit,
    })
    .map(myTradeJson);
}

export function coins(sim: ExchangeSimulator, account: Account): unknown {
  return sim.catalog.assets('binance').map((coin) => {
    const b = account.balance(coin);
    return {
      coin,
      name: coin,
      depositAllEnable: false,
      withdrawAllEnable: false,
      free: fixed8(b.free),
      locked: fixed8(b.locked),
      freeze: '0',
      withdrawing: '0',
      ipoing: '0',
      ipoable: '0',
      storage: '0',
      isLegalMoney: false,
      trading: true,
      networkList: [],
    };
  });
}

export function withFees(sim: ExchangeSimulator, order: SimOrder, json: Record<string, unknown>): Record<string, unknown> {
  if (order.tradeCount > 0) {
    if (!Array.isArray(json.fills)) json.fills = sim.store.tradesOfOrder('binance', order.id).map(fillJson);
  } else {
    json.fills = [];
    json.fee = '0';
    json.quoteAsset = sim.catalog.get('binance', order.marketId)?.quote ?? '';
  }
  return json;
}

function uidOf(apiKey: string): number {
  let h = 0;
  for (const c of apiKey) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 100_000_000 + (h % 900_000_000);
}
