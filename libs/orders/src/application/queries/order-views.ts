import type { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import type { OrderTimelineOrmEntity } from '../../infrastructure/persistence/order-timeline.orm-entity.js';
import type { TradeOrmEntity } from '../../infrastructure/persistence/trade.orm-entity.js';

export interface TimelineEntryView {
  at: string;
  event: string;
  status: string;
  cause: string;
  details?: Record<string, unknown>;
}

export interface OrderView {
  id: string;
  accountId: string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  status: string;
  purpose: string;
  clientOrderId: string;
  exchangeOrderId: string | null;
  amount: string | null;
  cost: string | null;
  price: string | null;
  filled: string;
  filledCost: string;
  average: string | null;
  fee: string | null;
  feeCurrency: string | null;
  needsAttention: boolean;
  rejectReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Present on a leg of a native order list (Binance OCO): the list, this leg's exchange type and its stop trigger. */
  orderList?: { listClientOrderId: string; exchangeListId: string | null; legType: string | null; stopPrice: string | null };
  timeline?: TimelineEntryView[];
}

export function toTimelineEntryView(t: OrderTimelineOrmEntity): TimelineEntryView {
  return {
    at: t.at.toISOString(),
    event: t.event,
    status: t.status,
    cause: t.cause,
    ...(t.details ? { details: JSON.parse(t.details) as Record<string, unknown> } : {}),
  };
}

export function toOrderView(o: OrderOrmEntity, timeline?: OrderTimelineOrmEntity[]): OrderView {
  return {
    id: o.id,
    accountId: o.accountId,
    exchange: o.exchange,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    purpose: o.purpose,
    clientOrderId: o.clientOrderId,
    exchangeOrderId: o.exchangeOrderId,
    amount: o.amount?.toFixed() ?? null,
    cost: o.requestedCost?.toFixed() ?? null,
    price: o.price?.toFixed() ?? null,
    filled: o.filled.toFixed(),
    filledCost: o.cost.toFixed(),
    average: o.average?.toFixed() ?? null,
    fee: o.fee?.toFixed() ?? null,
    feeCurrency: o.feeCurrency,
    needsAttention: o.needsAttention,
    rejectReason: o.rejectReason,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    ...(o.listClientOrderId
      ? {
          orderList: {
            listClientOrderId: o.listClientOrderId,
            exchangeListId: o.exchangeListId,
            legType: o.legType,
            stopPrice: o.stopPrice?.toFixed() ?? null,
          },
        }
      : {}),
    ...(timeline
      ? {
          timeline: timeline.map(toTimelineEntryView),
        }
      : {}),
  };
}

export interface TradeView {
  id: string;
  accountId: string;
  orderId: string;
  tradeId: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  fee: string;
  feeCurrency: string | null;
  /** The part of a sell beyond the position (coins it never held): outside every PnL figure. */
  untracked: string;
  timestamp: string;
}

export function toTradeView(t: TradeOrmEntity): TradeView {
  return {
    id: t.id,
    accountId: t.accountId,
    orderId: t.orderId,
    tradeId: t.tradeId,
    symbol: t.symbol,
    side: t.side,
    price: t.price.toFixed(),
    amount: t.amount.toFixed(),
    fee: t.fee.toFixed(),
    feeCurrency: t.feeCurrency,
    untracked: t.untracked?.toFixed() ?? '0',
    timestamp: t.timestamp.toISOString(),
  };
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
