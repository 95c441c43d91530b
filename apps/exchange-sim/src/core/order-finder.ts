import type { ExchangeId } from './markets.js';
import type { OpenOrders } from './open-orders.js';
import type { SimStore } from './store.js';
import type { SimOrder } from './types.js';

/** Orders by exchange id or client order id: the open ones from memory, the others from the store. */
export class OrderFinder {
  constructor(
    private readonly open: OpenOrders,
    private readonly store: SimStore,
  ) {}

  /** An account's order; a client order id names the open order holding it, else the newest that did. */
  ofAccount(exchange: ExchangeId, apiKey: string, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    if (by.id !== undefined) {
      const order = this.open.get(exchange, by.id) ?? this.store.findOrder(exchange, by.id);
      return order && order.apiKey === apiKey ? order : undefined;
    }
    if (by.clientOrderId !== undefined) {
      const open = this.open.byClientOrderId(exchange, apiKey, by.clientOrderId);
      if (open) return open;
      return this.store.listOrders({ exchange, apiKey, clientOrderId: by.clientOrderId, newestFirst: true, limit: 1 })[0];
    }
    return undefined;
  }

  /** Any order by exchange id or client id, for the control API. */
  any(exchange: ExchangeId, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    if (by.id !== undefined) return this.open.get(exchange, by.id) ?? this.store.findOrder(exchange, by.id);
    if (by.clientOrderId !== undefined) {
      for (const order of this.open.all()) if (order.exchange === exchange && order.clientOrderId === by.clientOrderId) return order;
      return this.store.listOrders({ exchange, clientOrderId: by.clientOrderId, newestFirst: true, limit: 1 })[0];
    }
    return undefined;
  }

  /** The other leg of an order list. */
  sibling(order: SimOrder): SimOrder | undefined {
    if (!order.siblingId) return undefined;
    return this.open.get(order.exchange, order.siblingId) ?? this.store.findOrder(order.exchange, order.siblingId);
  }
}
