/** The lifecycle of api.md. `PENDING` covers "recorded, not yet acknowledged by the exchange". */
export type OrderStatus = 'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'UNKNOWN';

export const ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'UNKNOWN'];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FILLED', 'CANCELED', 'REJECTED'];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Why an order exists: `manual` (the API), `conditional` (a conditional order's action),
 * `protective` (a stop, take-profit or trailing exit), `liquidation` (closing a position). The
 * rate governor puts protective exits and liquidations first.
 */
export type OrderPurpose = 'manual' | 'conditional' | 'protective' | 'liquidation';

/** Protective exits and liquidations go ahead of everything else at the exchange. */
export function isProtectivePurpose(purpose: OrderPurpose): boolean {
  return purpose === 'protective' || purpose === 'liquidation';
}

/** A leg of a native order list: a LIMIT_MAKER take-profit, a market STOP_LOSS or a STOP_LOSS_LIMIT. */
export type OrderLegType = 'limit_maker' | 'stop_loss' | 'stop_loss_limit';

/**
 * The reject reason of an order whose outcome was unknown and that repeated lookups by client
 * order id never found: the exchange does not have it, so nothing was executed and a caller that
 * still wants the trade (a protective exit) may place it again under a new client order id.
 */
export const NEVER_RECEIVED_REASON = 'the exchange never received the order (not found by client order id)';
