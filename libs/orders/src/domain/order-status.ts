/** The lifecycle of api.md. `PENDING` covers "recorded, not yet acknowledged by the exchange". */
export type OrderStatus = 'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'UNKNOWN';

export const ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'UNKNOWN'];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FILLED', 'CANCELED', 'REJECTED'];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Why an order exists: the rate governor puts protective exits and liquidations first. */
export type OrderPurpose = 'manual' | 'protective' | 'liquidation';
