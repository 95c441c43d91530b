import type { ExchangeId } from './markets.js';

export type OrderSide = 'buy' | 'sell';

/** Binance's status vocabulary; Upbit's wait/done/cancel is derived from it when serializing. */
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

/** `stop_loss`: a stop that executes at market once triggered (Binance STOP_LOSS; served as an OCO leg). */
export type OrderKind = 'limit' | 'market' | 'limit_maker' | 'stop_loss' | 'stop_loss_limit' | 'take_profit_limit';

/**
 * One order as the emulator keeps it. Decimals are strings so the object round-trips through
 * SQLite as JSON unchanged; arithmetic converts them to Dec where needed.
 */
export interface SimOrder {
  exchange: ExchangeId;
  id: string;
  seq: number;
  apiKey: string;
  marketId: string;
  symbol: string;
  clientOrderId: string | null;
  side: OrderSide;
  kind: OrderKind;
  /** The type as the exchange names it: LIMIT, STOP_LOSS_LIMIT… or limit, price, market, best. */
  nativeType: string;
  timeInForce: string | null;
  /** Limit price; for an Upbit `price` order the KRW to spend lives in quoteQuantity. */
  price: string | null;
  stopPrice: string | null;
  /** Base amount ordered; null when the order is sized in quote (market buy by cost). */
  quantity: string | null;
  quoteQuantity: string | null;
  executedQty: string;
  cumQuote: string;
  /** Binance: commission paid so far (in commissionAsset); Upbit: paid_fee in KRW. */
  commission: string;
  commissionAsset: string | null;
  /** Upbit: fee reserved on a bid when it was placed. */
  reservedFee: string;
  status: OrderStatus;
  /** False while a stop order waits for its trigger. */
  working: boolean;
  orderListId: number;
  listClientOrderId?: string;
  siblingId: string | null;
  lockedAsset: string;
  locked: string;
  createdAt: number;
  updatedAt: number;
  workingTime: number | null;
  tradeCount: number;
}

export interface SimTrade {
  exchange: ExchangeId;
  id: string;
  seq: number;
  orderId: string;
  apiKey: string;
  marketId: string;
  symbol: string;
  side: OrderSide;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  isMaker: boolean;
  time: number;
  orderListId: number;
}

/** An order request the exchange turned down, kept so tests can see every submission. */
export interface SimRejection {
  exchange: ExchangeId;
  apiKey: string;
  clientOrderId: string | null;
  symbol: string | null;
  side: string | null;
  type: string | null;
  amount: string | null;
  price: string | null;
  error: { code: string; message: string };
  createdAt: number;
}

export interface Balance {
  asset: string;
  free: string;
  locked: string;
  avgBuyPrice: string;
}

export interface AccountRecord {
  exchange: ExchangeId;
  apiKey: string;
  secret: string;
  /** What /_sim/reset restores: balances given at creation, updated by later fundings. */
  seedBalances: Record<string, string>;
  createdAt: number;
  /** Binance: the key may withdraw (`GET /sapi/v1/account/apiRestrictions` says so); false unless asked for. */
  enableWithdrawals: boolean;
}

export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}
