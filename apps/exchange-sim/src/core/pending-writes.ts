import { balanceRow } from './account.js';
import type { Account, AccountBalance } from './account.js';
import { orderKey } from './sim-orders.js';
import type { SimStore } from './store.js';
import type { SimOrder, SimTrade } from './types.js';

/**
 * What a mutation of the engine changed (orders, balances, new trades), written to SQLite in one
 * transaction by commit() before the caller answers the client.
 */
export class PendingWrites {
  private readonly orders = new Map<string, SimOrder>();
  private readonly balances = new Map<string, { account: Account; balance: AccountBalance }>();
  private readonly trades: SimTrade[] = [];

  constructor(private readonly store: SimStore) {}

  order(order: SimOrder): void {
    this.orders.set(orderKey(order), order);
  }

  /** An order that need not be written after all (a reset forgets the open ones). */
  forget(order: SimOrder): void {
    this.orders.delete(orderKey(order));
  }

  balance(account: Account, balance: AccountBalance): void {
    this.balances.set(`${account.exchange}:${account.apiKey}:${balance.asset}`, { account, balance });
  }

  trade(trade: SimTrade): void {
    this.trades.push(trade);
  }

  /** Writes everything pending, and `extra` in the same transaction; pending is empty afterwards even if it fails. */
  commit(extra?: () => void): void {
    if (this.orders.size === 0 && this.balances.size === 0 && this.trades.length === 0 && !extra) return;
    try {
      this.store.tx(() => {
        for (const order of this.orders.values()) this.store.putOrder(order);
        for (const { account, balance } of this.balances.values())
          this.store.putBalance(account.exchange, account.apiKey, balanceRow(balance));
        for (const trade of this.trades) this.store.putTrade(trade);
        extra?.();
      });
    } finally {
      this.orders.clear();
      this.balances.clear();
      this.trades.length = 0;
    }
  }
}
