import { marketKey } from './markets.js';
import type { ExchangeId } from './markets.js';
import { orderKey } from './sim-orders.js';
import type { SimOrder } from './types.js';

/** The open orders, kept in memory and indexed by id, by market and by client order id. */
export class OpenOrders {
  private readonly byId = new Map<string, SimOrder>();
  private readonly byMarket = new Map<string, Map<string, SimOrder>>();
  private readonly byClientId = new Map<string, SimOrder>();

  add(order: SimOrder): void {
    const key = orderKey(order);
    this.byId.set(key, order);
    const mk = marketKey(order.exchange, order.marketId);
    let resting = this.byMarket.get(mk);
    if (!resting) {
      resting = new Map();
      this.byMarket.set(mk, resting);
    }
    resting.set(key, order);
    if (order.clientOrderId) this.byClientId.set(clientKey(order.exchange, order.apiKey, order.clientOrderId), order);
  }

  remove(order: SimOrder): void {
    const key = orderKey(order);
    this.byId.delete(key);
    this.byMarket.get(marketKey(order.exchange, order.marketId))?.delete(key);
    if (order.clientOrderId) {
      const ck = clientKey(order.exchange, order.apiKey, order.clientOrderId);
      // A later order may hold the client id now (Binance reuses it once the first is done).
      if (this.byClientId.get(ck) === order) this.byClientId.delete(ck);
    }
  }

  clear(): void {
    this.byId.clear();
    this.byMarket.clear();
    this.byClientId.clear();
  }

  get(exchange: ExchangeId, id: string): SimOrder | undefined {
    return this.byId.get(`${exchange}:${id}`);
  }

  all(): IterableIterator<SimOrder> {
    return this.byId.values();
  }

  /** The open orders of a market, by its `exchange:id` key. */
  ofMarket(key: string): Map<string, SimOrder> | undefined {
    return this.byMarket.get(key);
  }

  byClientOrderId(exchange: ExchangeId, apiKey: string, clientOrderId: string): SimOrder | undefined {
    return this.byClientId.get(clientKey(exchange, apiKey, clientOrderId));
  }

  /** An account's open orders (in one market when given), oldest first. */
  ofAccount(exchange: ExchangeId, apiKey: string, marketId?: string): SimOrder[] {
    const result: SimOrder[] = [];
    for (const order of this.byId.values()) {
      if (order.exchange === exchange && order.apiKey === apiKey && (marketId === undefined || order.marketId === marketId))
        result.push(order);
    }
    return result.sort((a, b) => a.seq - b.seq);
  }
}

function clientKey(exchange: ExchangeId, apiKey: string, clientOrderId: string): string {
  return `${exchange}:${apiKey}:${clientOrderId}`;
}
