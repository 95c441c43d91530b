import { Dec, fixed8 } from '../core/decimal.js';
import type { Market } from '../core/markets.js';
import type { SimOrder, SimTrade } from '../core/types.js';

const f8 = (text: string | null | undefined): string => fixed8(new Dec(text ?? '0'));

export const ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'];

export function exchangeInfoSymbol(m: Market): Record<string, unknown> {
  return {
    symbol: m.id,
    status: 'TRADING',
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ORDER_TYPES,
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: fixed8(m.minPrice), maxPrice: fixed8(m.maxPrice), tickSize: fixed8(m.tickSize!) },
      { filterType: 'LOT_SIZE', minQty: fixed8(m.minQty), maxQty: fixed8(m.maxQty), stepSize: fixed8(m.stepSize) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: fixed8(m.marketMaxQty), stepSize: '0.00000000' },
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: 10,
        maxTrailingAboveDelta: 2000,
        minTrailingBelowDelta: 10,
        maxTrailingBelowDelta: 2000,
      },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE',
        bidMultiplierUp: '5',
        bidMultiplierDown: '0.2',
        askMultiplierUp: '5',
        askMultiplierDown: '0.2',
        avgPriceMins: 5,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: fixed8(m.minNotional),
        applyMinToMarket: true,
        maxNotional: fixed8(m.maxNotional),
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function isStop(order: SimOrder): boolean {
  return order.kind === 'stop_loss' || order.kind === 'stop_loss_limit' || order.kind === 'take_profit_limit';
}

function common(order: SimOrder): Record<string, unknown> {
  const base: Record<string, unknown> = {
    price: f8(order.price),
    origQty: f8(order.quantity),
    executedQty: f8(order.executedQty),
    origQuoteOrderQty: f8(order.quoteQuantity),
    cummulativeQuoteQty: f8(order.cumQuote),
    status: order.status,
    timeInForce: order.timeInForce ?? 'GTC',
    type: order.nativeType,
    side: order.side.toUpperCase(),
  };
  if (isStop(order)) base.stopPrice = f8(order.stopPrice);
  return base;
}

/** GET /api/v3/order, openOrders, allOrders. */
export function orderQueryJson(order: SimOrder): Record<string, unknown> {
  return {
    symbol: order.marketId,
    orderId: Number(order.id),
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    ...common(order),
    stopPrice: isStop(order) ? f8(order.stopPrice) : '0.00000000',
    icebergQty: '0.00000000',
    time: order.createdAt,
    updateTime: order.updatedAt,
    isWorking: order.working,
    workingTime: order.workingTime ?? -1,
    origQuoteOrderQty: f8(order.quoteQuantity),
    selfTradePreventionMode: 'NONE',
  };
}

export type RespType = 'ACK' | 'RESULT' | 'FULL';

/** POST /api/v3/order answer in the requested newOrderRespType. */
export function newOrderJson(order: SimOrder, respType: RespType, fills: SimTrade[]): Record<string, unknown> {
  const ack = {
    symbol: order.marketId,
    orderId: Number(order.id),
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    transactTime: order.createdAt,
  };
  if (respType === 'ACK') return ack;
  const result: Record<string, unknown> = {
    ...ack,
    ...common(order),
    workingTime: order.workingTime ?? -1,
    selfTradePreventionMode: 'NONE',
  };
  if (respType === 'FULL') result.fills = fills.map(fillJson);
  return result;
}

export function fillJson(t: SimTrade): Record<string, unknown> {
  return { price: f8(t.price), qty: f8(t.qty), commission: f8(t.commission), commissionAsset: t.commissionAsset, tradeId: Number(t.id) };
}

export function cancelJson(order: SimOrder, cancelClientOrderId: string, now: number): Record<string, unknown> {
  return {
    symbol: order.marketId,
    origClientOrderId: order.clientOrderId,
    orderId: Number(order.id),
    orderListId: order.orderListId,
    clientOrderId: cancelClientOrderId,
    transactTime: now,
    ...common(order),
    selfTradePreventionMode: 'NONE',
  };
}

export function myTradeJson(t: SimTrade): Record<string, unknown> {
  return {
    symbol: t.marketId,
    id: Number(t.id),
    orderId: Number(t.orderId),
    orderListId: t.orderListId,
    price: f8(t.price),
    qty: f8(t.qty),
    quoteQty: f8(t.quoteQty),
    commission: f8(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.side === 'buy',
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

export function orderListJson(
  legs: SimOrder[],
  listClientOrderId: string,
  transactionTime: number,
  reports?: RespType,
): Record<string, unknown> {
  const done = legs.every((l) => l.status !== 'NEW' && l.status !== 'PARTIALLY_FILLED');
  const json: Record<string, unknown> = {
    orderListId: legs[0].orderListId,
    contingencyType: 'OCO',
    listStatusType: done ? 'ALL_DONE' : 'EXEC_STARTED',
    listOrderStatus: done ? 'ALL_DONE' : 'EXECUTING',
    listClientOrderId,
    transactionTime,
    symbol: legs[0].marketId,
    orders: legs.map((l) => ({ symbol: l.marketId, orderId: Number(l.id), clientOrderId: l.clientOrderId })),
  };
  if (reports && reports !== 'ACK') {
    json.orderReports = legs.map((l) => ({
      symbol: l.marketId,
      orderId: Number(l.id),
      orderListId: l.orderListId,
      clientOrderId: l.clientOrderId,
      transactTime: transactionTime,
      ...common(l),
      workingTime: l.workingTime ?? -1,
      selfTradePreventionMode: 'NONE',
    }));
  }
  return json;
}
