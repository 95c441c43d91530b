import type { Decimal } from '@tradedesk/shared';
import { observeTrailing, type TrailingSpec, trailingTrigger } from './trailing.js';

const NO_IDS: readonly string[] = Object.freeze([]);

/** Ids ordered by a decimal key; lookups by binary search, so a query costs O(log n + answer). */
export class SortedBook {
  private readonly keys: Decimal[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** The smallest key held. */
  get minKey(): Decimal | undefined {
    return this.keys[0];
  }

  /** First index whose key is ≥ `key`. */
  private lowerBound(key: Decimal): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid].lt(key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > `key`. */
  private upperBound(key: Decimal): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid].lte(key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(id: string, key: Decimal): void {
    const i = this.upperBound(key);
    this.keys.splice(i, 0, key);
    this.ids.splice(i, 0, id);
  }

  remove(id: string, key: Decimal): boolean {
    for (let i = this.lowerBound(key); i < this.keys.length && this.keys[i].eq(key); i++) {
      if (this.ids[i] === id) {
        this.keys.splice(i, 1);
        this.ids.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  // Each query first compares with the extreme key: a tick that crosses nothing costs O(1) and
  // allocates nothing (one shared empty answer), so a quiet tick leaves no garbage to collect.
  atOrAbove(price: Decimal): readonly string[] {
    const n = this.keys.length;
    if (n === 0 || this.keys[n - 1].lt(price)) return NO_IDS;
    return this.ids.slice(this.lowerBound(price));
  }

  atOrBelow(price: Decimal): readonly string[] {
    if (this.keys.length === 0 || this.keys[0].gt(price)) return NO_IDS;
    return this.ids.slice(0, this.upperBound(price));
  }

  below(price: Decimal): readonly string[] {
    if (this.keys.length === 0 || this.keys[0].gte(price)) return NO_IDS;
    return this.ids.slice(0, this.lowerBound(price));
  }
}

/** What the book needs of a protective condition. */
export interface BookEntry {
  id: string;
  /** Fires at or below (stop-loss, bracket stop leg). */
  stopPrice?: Decimal;
  /** Fires at or above (take-profit, bracket profit leg). */
  takeProfitPrice?: Decimal;
  trailing?: TrailingSpec & { highWaterMark?: Decimal };
}

export type FiredLeg = 'stop' | 'take_profit';

export interface BookHit {
  id: string;
  leg: FiredLeg;
  /** The trigger that was crossed. */
  trigger: Decimal;
  price: Decimal;
}

export interface BookObservation {
  hits: readonly BookHit[];
  /** Trailing stops whose high-water mark moved: id → new H. */
  moved: ReadonlyMap<string, Decimal>;
}

/** What a tick that crosses and moves nothing observes — the common case, shared. */
const QUIET: BookObservation = Object.freeze({ hits: Object.freeze([]), moved: new Map<string, Decimal>() });

interface Held {
  entry: BookEntry;
  /** Key under which the entry sits in `stops` (a trailing stop's current trigger). */
  stopKey?: Decimal;
}

/**
 * The armed protective conditions watching one price of one market. A tick costs
 * O(log n + fired + trailing stops whose high-water mark moved), never a scan of all of them.
 */
export class MarketTriggerBook {
  private readonly held = new Map<string, Held>();
  private readonly stops = new SortedBook();
  private readonly profits = new SortedBook();
  private readonly activations = new SortedBook();
  private readonly highs = new SortedBook();

  get size(): number {
    return this.held.size;
  }

  has(id: string): boolean {
    return this.held.has(id);
  }

  add(entry: BookEntry): void {
    this.remove(entry.id);
    const held: Held = { entry: { ...entry, ...(entry.trailing ? { trailing: { ...entry.trailing } } : {}) } };
    this.held.set(entry.id, held);
    const e = held.entry;
    if (e.stopPrice) {
      held.stopKey = e.stopPrice;
      this.stops.insert(e.id, e.stopPrice);
    }
    if (e.takeProfitPrice) this.profits.insert(e.id, e.takeProfitPrice);
    if (e.trailing) {
      const h = e.trailing.highWaterMark;
      if (h) this.placeTrailing(held, h);
      else this.activations.insert(e.id, e.trailing.activationPrice ?? zeroOf(e));
    }
  }

  remove(id: string): BookEntry | undefined {
    const held = this.held.get(id);
    if (!held) return undefined;
    this.held.delete(id);
    const e = held.entry;
    if (held.stopKey) this.stops.remove(id, held.stopKey);
    if (e.takeProfitPrice) this.profits.remove(id, e.takeProfitPrice);
    if (e.trailing) {
      if (e.trailing.highWaterMark) this.highs.remove(id, e.trailing.highWaterMark);
      else this.activations.remove(id, e.trailing.activationPrice ?? zeroOf(e));
    }
    return e;
  }

  private placeTrailing(held: Held, h: Decimal): void {
    const t = held.entry.trailing!;
    if (t.highWaterMark) this.highs.remove(held.entry.id, t.highWaterMark);
    if (held.stopKey) this.stops.remove(held.entry.id, held.stopKey);
    t.highWaterMark = h;
    held.stopKey = trailingTrigger(t, h);
    this.highs.insert(held.entry.id, h);
    this.stops.insert(held.entry.id, held.stopKey);
  }

  /** Applies one observed price; hits are removed from the book (the engine re-adds a lost race). */
  observe(price: Decimal): BookObservation {
    const activated = this.activations.atOrBelow(price);
    const risen = this.highs.below(price);
    const stopped = this.stops.atOrAbove(price);
    const reached = this.profits.atOrBelow(price);
    if (activated.length + risen.length + stopped.length + reached.length === 0) return QUIET;
    const moved = new Map<string, Decimal>();
    for (const id of activated) {
      const held = this.held.get(id)!;
      this.activations.remove(id, held.entry.trailing!.activationPrice ?? zeroOf(held.entry));
      const step = observeTrailing(held.entry.trailing!, {}, price);
      this.placeTrailing(held, step.state.highWaterMark!);
      moved.set(id, price);
    }
    for (const id of risen) {
      this.placeTrailing(this.held.get(id)!, price);
      moved.set(id, price);
    }
    const hits: BookHit[] = [];
    // Asked again: a trailing stop placed above moves its trigger before the stop query.
    for (const id of moved.size > 0 ? this.stops.atOrAbove(price) : stopped) {
      const held = this.held.get(id)!;
      hits.push({ id, leg: 'stop', trigger: held.stopKey!, price });
    }
    for (const id of reached) {
      if (hits.some((h) => h.id === id)) continue;
      hits.push({ id, leg: 'take_profit', trigger: this.held.get(id)!.entry.takeProfitPrice!, price });
    }
    for (const hit of hits) this.remove(hit.id);
    return { hits, moved };
  }

  /** Current high-water mark of a trailing stop held here. */
  highWaterMark(id: string): Decimal | undefined {
    return this.held.get(id)?.entry.trailing?.highWaterMark;
  }
}

function zeroOf(e: BookEntry): Decimal {
  // A trailing stop without activation price activates on its first observation: key 0 ≤ any price.
  return (e.trailing?.trailPercent ?? e.trailing?.trailAmount)!.times(0);
}
