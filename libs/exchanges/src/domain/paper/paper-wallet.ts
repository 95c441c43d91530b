import { byCodeUnits, type Decimal, ZERO } from '@tradedesk/shared';
import type { AssetBalance } from '../exchange-gateway.js';

/** Balances of one paper account: free and locked per asset, and which assets a change touched. */
export class PaperWallet {
  private readonly balances = new Map<string, { free: Decimal; locked: Decimal }>();
  private readonly touched = new Set<string>();

  constructor(entries: Iterable<{ asset: string; free: Decimal; locked: Decimal }> = []) {
    for (const entry of entries) this.balances.set(entry.asset, { free: entry.free, locked: entry.locked });
  }

  free(asset: string): Decimal {
    return this.balances.get(asset)?.free ?? ZERO;
  }

  locked(asset: string): Decimal {
    return this.balances.get(asset)?.locked ?? ZERO;
  }

  total(asset: string): Decimal {
    return this.free(asset).plus(this.locked(asset));
  }

  assets(): string[] {
    return [...this.balances.keys()].sort(byCodeUnits);
  }

  /** Free → locked, for an order that rests. The caller has checked the free balance. */
  lock(asset: string, amount: Decimal): void {
    this.change(asset, amount.negated(), amount);
  }

  /** Locked → free, when an order ends holding more than it spent. */
  unlock(asset: string, amount: Decimal): void {
    this.change(asset, amount, amount.negated());
  }

  /** Pays out of what an order holds locked. */
  spendLocked(asset: string, amount: Decimal): void {
    this.change(asset, ZERO, amount.negated());
  }

  credit(asset: string, amount: Decimal): void {
    this.change(asset, amount, ZERO);
  }

  debit(asset: string, amount: Decimal): void {
    this.change(asset, amount.negated(), ZERO);
  }

  /** Balances of the touched assets, for persisting exactly what changed. */
  changed(): AssetBalance[] {
    return [...this.touched].sort(byCodeUnits).map((asset) => this.balanceOf(asset));
  }

  snapshot(): AssetBalance[] {
    return this.assets().map((asset) => this.balanceOf(asset));
  }

  private balanceOf(asset: string): AssetBalance {
    const free = this.free(asset);
    const locked = this.locked(asset);
    return { asset, free, locked, total: free.plus(locked) };
  }

  private change(asset: string, free: Decimal, locked: Decimal): void {
    const next = { free: this.free(asset).plus(free), locked: this.locked(asset).plus(locked) };
    // A negative balance would be money out of nothing: every caller checks before it moves funds.
    if (next.free.lessThan(0) || next.locked.lessThan(0))
      throw new Error(`paper wallet: ${asset} would go negative (free ${next.free.toFixed()}, locked ${next.locked.toFixed()})`);
    this.balances.set(asset, next);
    this.touched.add(asset);
  }
}
