import { ZERO } from '@tradedesk/shared';
import type { ExchangeOrder } from './exchange-gateway.js';

/**
 * Upbit ends a market buy sized in KRW (`ord_type: "price"`) in state `cancel` whenever KRW are
 * left that cannot buy one more unit of the coin (nearly always: budgets rarely divide to 1e-8),
 * and `done` only when the budget divides exactly; ccxt reads `cancel` as `canceled`. Either way
 * the order is over and bought what it could, so one that executed is filled — its amount is what
 * it bought. Its `exchangeState` keeps Upbit's word.
 */
export function settleUpbitMarketBuyByCost(order: ExchangeOrder): ExchangeOrder {
  if (order.status !== 'canceled' || !order.filled.gt(0)) return order;
  return { ...order, status: 'closed', amount: order.filled, remaining: ZERO };
}
