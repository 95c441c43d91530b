import { dec, type Decimal, UnitOfWork } from '@tradedesk/shared';
import { ConditionMissedEvent } from '../../domain/condition.events.js';
import { marketKey, priceOf, type Quote } from '../../domain/condition.types.js';
import { SortedBook } from '../../domain/trigger-book.js';
import { evaluateWhen, mayHoldAt, nextDueAt, type Occurrence } from '../../domain/when-tree.js';
import { appendTimeline, compareAndSet } from '../condition-store.js';
import { type EngineState, facts, type Held } from './engine-state.js';
import type { IntentFiring } from './intent-firing.js';

/**
 * Conditionals are never scanned: a tick evaluates only those whose next time edge (`at`, `after`,
 * `between`, an `every` occurrence) has come and those watching a market whose quote changed since
 * the last evaluation.
 */
export class ConditionalEvaluation {
  /** Conditionals by the instant (ms) their time leaves next come due: a tick evaluates only those due… */
  readonly dueConditionals = new SortedBook();
  /** …and those watching a market whose quote changed since the last evaluation (market key → ids). */
  private readonly watchers = new Map<string, Set<string>>();
  private readonly changedMarkets = new Set<string>();
  private readonly quotes = new Map<string, { quote: Quote; at: number }>();
  private maxQuoteAgeMs = 10_000;
  /** An `every` occurrence before this instant fell while this engine was not running (downtime policy). */
  private readonly startedAt = Date.now();
  /** How many conditional evaluations ran (a seam for tests and a figure for the bench). */
  evaluations = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly state: EngineState,
    private readonly intent: IntentFiring,
  ) {}

  /** The conditionals due now: their time has come, or a market they watch moved. */
  due(now: Date, maxQuoteAgeMs: number): Set<string> {
    this.maxQuoteAgeMs = maxQuoteAgeMs;
    const due = new Set(this.dueConditionals.atOrBelow(dec(now.getTime())));
    for (const key of this.changedMarkets) for (const id of this.watchers.get(key) ?? []) due.add(id);
    this.changedMarkets.clear();
    return due;
  }

  async evaluateConditional(h: Held, now: Date, maxQuoteAgeMs: number): Promise<'fired' | 'missed' | 'lost' | 'waiting'> {
    this.evaluations++;
    this.unscheduleConditional(h);
    const quoteOf = (accountId: string | undefined, symbol: string): Quote | undefined => {
      if (!accountId) return undefined;
      const q = this.quotes.get(marketKey(accountId, symbol));
      return q && now.getTime() - q.at <= maxQuoteAgeMs ? q.quote : undefined;
    };
    const before = JSON.stringify(h.memory);
    const occurrences: Occurrence[] = [];
    // What the leaves saw: the timeline of a firing shows the prices that made the tree true.
    const observed: Record<string, Decimal> = {};
    const satisfied = evaluateWhen(h.when!, {
      now,
      armedAt: h.armedAt,
      memory: h.memory!,
      occurrences,
      price: (leaf) => {
        const accountId = leaf.exchange && leaf.exchange !== h.exchange ? this.state.accountsByExchange.get(leaf.exchange) : h.accountId;
        const m = h.markets!.find((x) => x.leafKey === `${leaf.exchange ?? ''}|${leaf.symbol ?? ''}`);
        const symbol = m?.symbol ?? leaf.symbol ?? '';
        const quote = quoteOf(accountId, symbol);
        const price = quote ? priceOf(quote, leaf.source) : undefined;
        if (price) observed[`${leaf.exchange ?? h.exchange} ${symbol} ${leaf.source}`] = price;
        return price;
      },
      premium: (base) => {
        const premium = premiumOf(
          quoteOf(this.state.accountsByExchange.get('upbit'), `${base}/KRW`),
          quoteOf(this.state.accountsByExchange.get('upbit'), 'USDT/KRW'),
          quoteOf(this.state.accountsByExchange.get('binance'), `${base}/USDT`),
        );
        if (premium) observed[`premium ${base}`] = premium;
        return premium;
      },
    });
    if (JSON.stringify(h.memory) !== before) this.state.pendingMemory.add(h.id);
    if (satisfied) {
      // Occurrences that fell while no engine ran collapse into this one: policy fire → one catch-up
      // firing; skip/notify → a `missed` line, and the rule stays armed for its next occurrence.
      const late = occurrences.find((o) => o.first.getTime() < this.startedAt);
      const occurrence = occurrences.length
        ? {
            occurrence: occurrences[occurrences.length - 1].latest.toISOString(),
            ...(late ? { firstMissed: late.first.toISOString() } : {}),
          }
        : {};
      if (late && h.onDowntime !== 'fire') {
        if (await this.skipOccurrence(h, late, now)) {
          this.scheduleConditional(h, now);
          return 'missed';
        }
        return 'lost';
      }
      const prices = Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, v.toFixed()]));
      const first = Object.entries(observed).find(([k]) => !k.startsWith('premium'))?.[1];
      return this.intent.fire(h.id, undefined, 'last', late !== undefined, now, { ...occurrence, ...(first ? { prices } : {}) }, first);
    }
    this.scheduleConditional(h, now);
    return 'waiting';
  }

  /** A recurring rule's occurrence missed while down under skip/notify: recorded, and it stays ARMED. */
  private async skipOccurrence(h: Held, late: Occurrence, now: Date): Promise<boolean> {
    const ok = await this.state.guarded(h.id, () =>
      this.uow.run(async (tx) => {
        if (!(await compareAndSet(tx, h.id, ['ARMED'], h.version, { memory: JSON.stringify(h.memory) }))) return false;
        await appendTimeline(tx, h.id, [
          {
            event: 'missed',
            status: 'ARMED',
            at: now,
            details: {
              crossedWhileDown: true,
              policy: h.onDowntime,
              firstMissed: late.first.toISOString(),
              latestMissed: late.latest.toISOString(),
            },
          },
        ]);
        tx.publish(new ConditionMissedEvent(facts(h, 'ARMED'), h.onDowntime));
        return true;
      }),
    );
    if (ok !== true) return false;
    h.version++;
    this.state.pendingMemory.delete(h.id);
    return true;
  }

  indexConditional(h: Held): void {
    for (const m of h.markets ?? []) {
      const key = marketKey(m.accountId, m.symbol);
      const ids = this.watchers.get(key) ?? new Set<string>();
      ids.add(h.id);
      this.watchers.set(key, ids);
    }
    // Loaded (at start, armed, re-armed, resumed): evaluated at the next call if time allows it now.
    const now = new Date();
    if (mayHoldAt(h.when!, h.armedAt, now, h.memory)) this.insertDue(h, 0);
    else this.scheduleConditional(h, now);
  }

  unindexConditional(h: Held): void {
    this.unscheduleConditional(h);
    for (const m of h.markets ?? []) {
      const key = marketKey(m.accountId, m.symbol);
      const ids = this.watchers.get(key);
      ids?.delete(h.id);
      if (ids?.size === 0) this.watchers.delete(key);
    }
  }

  private scheduleConditional(h: Held, now: Date): void {
    if (this.state.held.get(h.id) !== h) return;
    const next = nextDueAt(h.when!, h.armedAt, now, h.memory);
    if (next) this.insertDue(h, next.getTime());
  }

  private insertDue(h: Held, at: number): void {
    this.unscheduleConditional(h);
    h.dueAt = at;
    this.dueConditionals.insert(h.id, dec(at));
  }

  private unscheduleConditional(h: Held): void {
    if (h.dueAt === undefined) return;
    this.dueConditionals.remove(h.id, dec(h.dueAt));
    delete h.dueAt;
  }

  /** A quote that moved, or that comes back after going stale, makes its watchers due. */
  rememberQuote(key: string, quote: Quote, at: number): void {
    const previous = this.quotes.get(key);
    this.quotes.set(key, { quote, at });
    if (
      !previous ||
      at - previous.at > this.maxQuoteAgeMs ||
      !previous.quote.last.eq(quote.last) ||
      String(previous.quote.bid) !== String(quote.bid) ||
      String(previous.quote.ask) !== String(quote.ask)
    )
      this.changedMarkets.add(key);
  }
}

/** Upbit KRW price vs Binance USDT price × USDT/KRW, in percent. */
export function premiumOf(krw: Quote | undefined, usdtKrw: Quote | undefined, usdt: Quote | undefined): Decimal | undefined {
  if (!krw || !usdtKrw || !usdt) return undefined;
  const reference = usdt.last.times(usdtKrw.last);
  if (reference.isZero()) return undefined;
  return krw.last.div(reference).minus(1).times(100);
}
