import type { RequestLane } from '../../domain/exchange-gateway.js';

export interface BudgetSpec {
  /** Units (requests, weight, orders) the exchange allows per window. */
  limit: number;
  windowMs: number;
  /**
   * The limit is only a guess until the exchange tells us (Upbit's Remaining-Req): one request at a
   * time until `calibrate` is called, so a first burst cannot overrun a smaller real limit.
   */
  calibrate?: boolean;
}

export interface RateGovernorOptions {
  /** Fraction of each exchange limit we allow ourselves (clock skew, other clients of the key). */
  safety?: number;
  /** Added to every window: requests sent together may arrive at the exchange up to this much apart. */
  jitterMs?: number;
  /** Share of each budget a lane may fill: market data leaves room for orders, orders for protective exits. */
  laneShare?: Record<RequestLane, number>;
}

export const LANES: readonly RequestLane[] = ['protective', 'order', 'market-data'];
const DEFAULT_LANE_SHARE: Record<RequestLane, number> = { protective: 1, order: 0.9, 'market-data': 0.75 };

interface Spend {
  at: number;
  cost: number;
}

class Budget {
  private spends: Spend[] = [];
  pausedUntil = 0;
  inFlight = 0;
  calibrated: boolean;

  constructor(
    public spec: BudgetSpec,
    private readonly jitterMs: number,
  ) {
    this.calibrated = !spec.calibrate;
  }

  private prune(now: number): void {
    const horizon = now - this.spec.windowMs - this.jitterMs;
    while (this.spends.length > 0 && this.spends[0].at <= horizon) this.spends.shift();
  }

  used(now: number): number {
    this.prune(now);
    return this.spends.reduce((sum, s) => sum + s.cost, 0);
  }

  spend(now: number, cost: number): void {
    this.spends.push({ at: now, cost });
  }

  /** Milliseconds until `cost` more fits under `capacity` (0 = now). */
  waitFor(now: number, cost: number, capacity: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    // Uncalibrated: the next start waits for the answer in flight (which calls pump again).
    if (!this.calibrated && this.inFlight > 0) return Infinity;
    let used = this.used(now);
    if (used + cost <= capacity) return 0;
    for (const spend of this.spends) {
      used -= spend.cost;
      if (used + cost <= capacity) return Math.max(1, spend.at + this.spec.windowMs + this.jitterMs - now);
    }
    // Larger than the whole capacity: wait for an empty window, then let it through alone.
    return this.spends.length === 0 ? 0 : Math.max(1, this.spends[this.spends.length - 1].at + this.spec.windowMs + this.jitterMs - now);
  }
}

interface Task {
  costs: Record<string, number>;
  start: () => void;
}

export interface GovernorSnapshot {
  queued: Record<RequestLane, number>;
  budgets: Record<string, { limit: number; windowMs: number; used: number }>;
  pausedUntil?: Date;
}

/**
 * Paces one account's calls to its exchange so the exchange's limits are never reached: a budget
 * per limit (Binance request weight per minute and orders per 10 s; Upbit per-second groups), a
 * sliding log per budget (stricter than the exchanges' fixed windows), and three lanes served in
 * priority order, each allowed only its share of a budget. Within and across lanes, a call waits
 * only for the budgets that are short: one that needs none of them passes those queued before it.
 * A 429's Retry-After pauses everything.
 */
export class RateGovernor {
  private readonly budgets = new Map<string, Budget>();
  private readonly queues: Record<RequestLane, Task[]> = { protective: [], order: [], 'market-data': [] };
  private readonly safety: number;
  private readonly jitterMs: number;
  private readonly laneShare: Record<RequestLane, number>;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;

  constructor(budgets: Record<string, BudgetSpec>, options: RateGovernorOptions = {}) {
    this.safety = options.safety ?? 0.9;
    this.jitterMs = options.jitterMs ?? 100;
    this.laneShare = options.laneShare ?? DEFAULT_LANE_SHARE;
    for (const [name, spec] of Object.entries(budgets)) this.budgets.set(name, new Budget(spec, this.jitterMs));
  }

  /** Runs `call` once its lane's turn has come and every budget it spends has room. */
  run<T>(lane: RequestLane, costs: Record<string, number>, call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const names = Object.keys(costs);
      const start = () => {
        for (const name of names) this.budgets.get(name)!.inFlight++;
        call()
          .then(resolve, reject)
          .finally(() => {
            for (const name of names) this.budgets.get(name)!.inFlight--;
            this.pump();
          });
      };
      for (const name of names)
        if (!this.budgets.has(name)) this.budgets.set(name, new Budget({ limit: Number.MAX_SAFE_INTEGER, windowMs: 1000 }, this.jitterMs));
      this.queues[lane].push({ costs, start });
      this.pump();
    });
  }

  /** Sets a budget from what the exchange publishes (Binance exchangeInfo `rateLimits`). */
  setLimit(name: string, spec: BudgetSpec): void {
    const budget = this.budgets.get(name);
    if (budget) budget.spec = spec;
    else this.budgets.set(name, new Budget(spec, this.jitterMs));
    this.pump();
  }

  /** The exchange told us the real limit: lift the one-at-a-time rule of an uncalibrated budget. */
  calibrate(name: string, limit: number): void {
    const budget = this.budgets.get(name);
    if (!budget || budget.calibrated) return;
    budget.spec = { ...budget.spec, limit: Math.max(1, limit), calibrate: false };
    budget.calibrated = true;
    this.pump();
  }

  isCalibrated(name: string): boolean {
    return this.budgets.get(name)?.calibrated ?? true;
  }

  limitOf(name: string): BudgetSpec | undefined {
    return this.budgets.get(name)?.spec;
  }

  /** The exchange counted `used` units in its current window (a response header); we count at least as many. */
  observeUsed(name: string, used: number): void {
    const budget = this.budgets.get(name);
    if (!budget || !Number.isFinite(used)) return;
    const now = Date.now();
    const own = budget.used(now);
    if (used > own) budget.spend(now, used - own);
  }

  /** Nothing on this budget until `ms` from now (its window is spent at the exchange). */
  pauseBudget(name: string, ms: number): void {
    const budget = this.budgets.get(name);
    if (budget) budget.pausedUntil = Math.max(budget.pausedUntil, Date.now() + ms);
    this.pump();
  }

  /** Nothing at all until `ms` from now (a 429's Retry-After). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.pump();
  }

  snapshot(): GovernorSnapshot {
    const now = Date.now();
    const budgets: GovernorSnapshot['budgets'] = {};
    for (const [name, b] of this.budgets) budgets[name] = { ...b.spec, used: b.used(now) };
    return {
      queued: {
        protective: this.queues.protective.length,
        order: this.queues.order.length,
        'market-data': this.queues['market-data'].length,
      },
      budgets,
      ...(this.pausedUntil > now ? { pausedUntil: new Date(this.pausedUntil) } : {}),
    };
  }

  private capacity(budget: Budget, lane: RequestLane): number {
    return Math.max(1, Math.floor(budget.spec.limit * this.safety * this.laneShare[lane]));
  }

  private pump(): void {
    for (;;) {
      const now = Date.now();
      if (now < this.pausedUntil) return this.wakeIn(this.pausedUntil - now);
      const next = this.nextStartable(now);
      if ('soonest' in next) {
        if (next.soonest !== Infinity) this.wakeIn(next.soonest);
        return;
      }
      const [task] = next.queue.splice(next.index, 1);
      for (const name of Object.keys(task.costs)) this.budgets.get(name)?.spend(now, task.costs[name]);
      task.start();
    }
  }

  /**
   * The first queued task, lanes in priority order, whose budgets all have room now; otherwise how
   * soon one may have (Infinity: only an answer in flight can tell).
   */
  private nextStartable(now: number): { queue: Task[]; index: number } | { soonest: number } {
    let soonest = Infinity;
    const blocked = new Set<string>();
    for (const lane of LANES) {
      const queue = this.queues[lane];
      for (let index = 0; index < queue.length; index++) {
        const task = queue[index];
        // Nothing may take from a budget that a task ahead of it (same lane or higher) waits for…
        if (Object.keys(task.costs).some((n) => blocked.has(n))) continue;
        const { wait, short } = this.waitOf(task, lane, now);
        if (wait === 0) return { queue, index };
        soonest = Math.min(soonest, wait);
        // …but a budget with room is not held back: a price read behind exits that wait for the
        // order budget goes ahead on the weight they leave (lane shares keep weight for the exits).
        for (const name of short) blocked.add(name);
      }
    }
    return { soonest };
  }

  /** How long a task must wait for the budgets it spends (within its lane's share), and which of them are short. */
  private waitOf(task: Task, lane: RequestLane, now: number): { wait: number; short: string[] } {
    let wait = 0;
    const short: string[] = [];
    for (const name of Object.keys(task.costs)) {
      const budget = this.budgets.get(name);
      const w = budget ? budget.waitFor(now, task.costs[name], this.capacity(budget, lane)) : 0;
      if (w > 0) short.push(name);
      wait = Math.max(wait, w);
    }
    return { wait, short };
  }

  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
    this.timer.unref?.();
  }
}
