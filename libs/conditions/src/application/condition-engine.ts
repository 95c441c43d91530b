import { Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import {
  type ClosedBy,
  OrderPlacement,
  PositionClosedError,
  type PositionFacts,
  type PreparedOrder,
  type StartedOrders,
} from '@tradedesk/orders';
import { type Decimal, dec, Outbox, type TransactionScope, UnitOfWork } from '@tradedesk/shared';
import { In, MoreThanOrEqual } from 'typeorm';
import {
  ConditionCancelledEvent,
  ConditionFailedEvent,
  ConditionFiredEvent,
  ConditionMissedEvent,
  ConditionTriggeredEvent,
  type ConditionFacts,
} from '../domain/condition.events.js';
import { isProtective, marketKey, type PriceSource, priceOf, type Quote } from '../domain/condition.types.js';
import { type ExitTerms, liquidatesPosition } from '../domain/exit-order.js';
import { type BookHit, MarketTriggerBook, SortedBook } from '../domain/trigger-book.js';
import { evaluateWhen, leavesOf, mayHoldAt, nextDueAt, type Occurrence, parseWhen, type WhenNode } from '../domain/when-tree.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { causeOf, dustLeft, exitOrderSpec, exitTermsOf } from './condition-orders.js';
import { appendTimeline, appendTimelines, compareAndSet, positionClosedChange, type TimelineEntry } from './condition-store.js';

export const FIRE_TOPIC = 'conditions.fire';

interface Held {
  id: string;
  version: number;
  /** How many times it fired: its next order's idempotency key is numbered `firings + 1`. */
  firings: number;
  kind: ConditionOrmEntity['kind'];
  accountId: string;
  exchange: string;
  symbol: string | null;
  /** Book key (watched account, symbol, source) for protective kinds. */
  bookKey?: string;
  /** A protective kind's exit (its size and execution) and the orders it placed so far (JSON). */
  exit?: ExitTerms & { orderIds: string };
  onDowntime: ConditionOrmEntity['onDowntime'];
  expiresAt?: number;
  armedAt: Date;
  when?: WhenNode;
  memory?: Record<string, string>;
  /** Markets a conditional watches: key → (accountId, symbol). */
  markets?: Array<{ accountId: string; symbol: string; source: PriceSource; leafKey: string }>;
  /** A conditional's key in the next-due index (ms; 0 = evaluate at the next call). */
  dueAt?: number;
  loadedAtStart: boolean;
}

/** A trigger crossed in a tick, waiting to be fired. */
interface Crossing {
  hit: BookHit;
  source: PriceSource;
  /** Crossed while no engine ran (the downtime policy applies). */
  downtime: boolean;
}

interface Book {
  accountId: string;
  symbol: string;
  source: PriceSource;
  book: MarketTriggerBook;
  observed: boolean;
}

export interface TickReport {
  markets: number;
  fired: number;
  expired: number;
  missed: number;
}

function facts(h: Pick<Held, 'id' | 'kind' | 'accountId' | 'symbol'>, status: ConditionFacts['status']): ConditionFacts {
  return { conditionId: h.id, kind: h.kind, accountId: h.accountId, symbol: h.symbol, status };
}

/**
 * The in-memory side of the conditions: per-market trigger books mirroring the ARMED rows, fed with
 * prices by the scheduler. Firing is a compare-and-set on the row in the same transaction as what
 * it sets off — the exit orders themselves for a batch of protective exits, an outbox intent
 * otherwise — so several engines on one database still fire each condition once.
 */
@Injectable()
export class ConditionEngine {
  private readonly logger = new Logger(ConditionEngine.name);
  private readonly held = new Map<string, Held>();
  private readonly books = new Map<string, Book>();
  private readonly conditionals = new Set<string>();
  /** Expiry instants (ms) of held conditions, so a tick finds the due ones without a scan. */
  private readonly expiries = new SortedBook();
  /** Conditions whose firing transaction failed: reloaded from the database on the next sync. */
  private readonly reload = new Set<string>();
  /** Conditions judged crossed-while-down whose firing failed: the retry keeps that verdict (and its policy). */
  private readonly crossedWhileDown = new Set<string>();
  private readonly quotes = new Map<string, { quote: Quote; at: number }>();
  private readonly pendingHighs = new Map<string, Decimal>();
  private readonly pendingMemory = new Set<string>();
  private syncedUntil: Date | undefined;
  private accountsByExchange = new Map<string, string>();
  /** Conditionals by the instant (ms) their time leaves next come due: a tick evaluates only those due… */
  private readonly dueConditionals = new SortedBook();
  /** …and those watching a market whose quote changed since the last evaluation (market key → ids). */
  private readonly watchers = new Map<string, Set<string>>();
  private readonly changedMarkets = new Set<string>();
  private maxQuoteAgeMs = 10_000;
  /** An `every` occurrence before this instant fell while this engine was not running (downtime policy). */
  private readonly startedAt = Date.now();
  /** How many conditional evaluations ran (a seam for tests and a figure for the bench). */
  evaluations = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly placement: OrderPlacement,
    private readonly queries: QueryBus,
  ) {}

  get armedCount(): number {
    return this.held.size;
  }

  /** Loads every ARMED row on the first call, then only rows changed since the last sync (other instances, the API). */
  async sync(now = new Date()): Promise<void> {
    const first = this.syncedUntil === undefined;
    // Overlap the window: a transaction that committed late with an earlier changedAt is still seen.
    const since = first ? undefined : new Date(this.syncedUntil!.getTime() - 5_000);
    const rows = await this.uow.run(({ manager }) =>
      manager.find(ConditionOrmEntity, { where: since ? { changedAt: MoreThanOrEqual(since) } : { status: In(['ARMED']) } }),
    );
    if (first || this.accountsByExchange.size === 0) {
      this.accountsByExchange = new Map();
      for (const a of await this.gateways.listAccounts())
        if (!this.accountsByExchange.has(a.exchange)) this.accountsByExchange.set(a.exchange, a.id);
    }
    for (const row of rows) this.apply(row, first);
    if (this.reload.size > 0) {
      const ids = [...this.reload];
      this.reload.clear();
      const again = await this.uow.run(({ manager }) => manager.find(ConditionOrmEntity, { where: { id: In(ids) } }));
      for (const row of again) this.apply(row, false);
    }
    this.syncedUntil = now;
  }

  private apply(row: ConditionOrmEntity, atStart: boolean): void {
    const current = this.held.get(row.id);
    if (current && current.version >= row.version && row.status === 'ARMED') return;
    // An adjusted trailing stop keeps the mark this engine already saw (the row's may be a few ticks old).
    const seenHigh = current?.bookKey ? this.books.get(current.bookKey)?.book.highWaterMark(row.id) : undefined;
    const high = seenHigh && (!row.highWaterMark || seenHigh.gt(row.highWaterMark)) ? seenHigh : row.highWaterMark;
    this.drop(row.id);
    // A native bracket rests at the exchange, which triggers it: nothing to watch here.
    if (row.status !== 'ARMED' || row.placement === 'native') return;
    const h: Held = {
      id: row.id,
      version: row.version,
      firings: row.firings,
      kind: row.kind,
      accountId: row.accountId,
      exchange: row.exchange,
      symbol: row.symbol,
      onDowntime: row.onDowntime,
      armedAt: row.armedAt,
      loadedAtStart: atStart,
      ...(row.expiresAt ? { expiresAt: row.expiresAt.getTime() } : {}),
    };
    if (isProtective(row.kind)) {
      const terms = exitTermsOf(row);
      if (terms) h.exit = { ...terms, orderIds: row.orderIds };
      const key = `${marketKey(row.watchAccountId!, row.watchSymbol!)} ${row.source}`;
      let book = this.books.get(key);
      if (!book) {
        book = {
          accountId: row.watchAccountId!,
          symbol: row.watchSymbol!,
          source: row.source,
          book: new MarketTriggerBook(),
          observed: false,
        };
        this.books.set(key, book);
      }
      h.bookKey = key;
      book.book.add({
        id: row.id,
        ...(row.stopPrice ? { stopPrice: row.stopPrice } : {}),
        ...(row.takeProfitPrice ? { takeProfitPrice: row.takeProfitPrice } : {}),
        ...(row.kind === 'trailing_stop'
          ? {
              trailing: {
                ...(row.trailPercent ? { trailPercent: row.trailPercent } : {}),
                ...(row.trailAmount ? { trailAmount: row.trailAmount } : {}),
                ...(row.activationPrice ? { activationPrice: row.activationPrice } : {}),
                ...(high ? { highWaterMark: high } : {}),
              },
            }
          : {}),
      });
    } else {
      h.when = parseWhen(JSON.parse(row.whenTree!), new Date(0));
      h.memory = row.memory ? (JSON.parse(row.memory) as Record<string, string>) : {};
      h.markets = [];
      for (const leaf of leavesOf(h.when)) {
        if ('price' in leaf || 'change' in leaf) {
          const ref = 'price' in leaf ? leaf.price : leaf.change;
          // A leaf on the condition's own exchange reads through its own account (as arming checked it).
          const accountId = ref.exchange && ref.exchange !== row.exchange ? this.accountsByExchange.get(ref.exchange) : row.accountId;
          if (!accountId) continue;
          const symbol = ref.symbol ?? JSON.parse(row.action!).symbol;
          h.markets.push({ accountId, symbol, source: ref.source, leafKey: `${ref.exchange ?? ''}|${ref.symbol ?? ''}` });
        }
        if ('premium' in leaf) {
          const upbit = this.accountsByExchange.get('upbit');
          const binance = this.accountsByExchange.get('binance');
          if (upbit && binance) {
            const b = leaf.premium.base;
            h.markets.push({ accountId: upbit, symbol: `${b}/KRW`, source: 'last', leafKey: `premium ${b}` });
            h.markets.push({ accountId: upbit, symbol: 'USDT/KRW', source: 'last', leafKey: `premium ${b}` });
            h.markets.push({ accountId: binance, symbol: `${b}/USDT`, source: 'last', leafKey: `premium ${b}` });
          }
        }
      }
      this.conditionals.add(row.id);
    }
    this.held.set(row.id, h);
    if (h.when) this.indexConditional(h);
    if (h.expiresAt !== undefined) this.expiries.insert(h.id, dec(h.expiresAt));
  }

  private drop(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    this.conditionals.delete(id);
    if (h.when) this.unindexConditional(h);
    if (h.expiresAt !== undefined) this.expiries.remove(id, dec(h.expiresAt));
    if (h.bookKey) {
      const book = this.books.get(h.bookKey);
      book?.book.remove(id);
      if (book && book.book.size === 0) this.books.delete(h.bookKey);
    }
  }

  /** The markets to poll, grouped by the account whose gateway reads them. */
  watchedMarkets(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const add = (accountId: string, symbol: string) => {
      let set = out.get(accountId);
      if (!set) out.set(accountId, (set = new Set()));
      set.add(symbol);
    };
    for (const book of this.books.values()) add(book.accountId, book.symbol);
    for (const id of this.conditionals) for (const m of this.held.get(id)!.markets ?? []) add(m.accountId, m.symbol);
    return out;
  }

  /** The protective conditions whose trigger book watches a market (read through `accountId`). */
  protectiveWatching(accountId: string, symbol: string): Array<{ conditionId: string; accountId: string; symbol: string | null }> {
    const out: Array<{ conditionId: string; accountId: string; symbol: string | null }> = [];
    for (const h of this.held.values()) {
      if (!h.bookKey) continue;
      const book = this.books.get(h.bookKey);
      if (book?.accountId === accountId && book.symbol === symbol)
        out.push({ conditionId: h.id, accountId: h.accountId, symbol: h.symbol });
    }
    return out;
  }

  /** Evaluates the books of one account's markets against fresh tickers. */
  async observe(accountId: string, tickers: Record<string, Quote>, now = new Date()): Promise<TickReport> {
    const report: TickReport = { markets: 0, fired: 0, expired: 0, missed: 0 };
    for (const [symbol, quote] of Object.entries(tickers)) this.rememberQuote(marketKey(accountId, symbol), quote, now.getTime());
    const hits: Crossing[] = [];
    for (const book of this.books.values()) {
      if (book.accountId !== accountId) continue;
      const quote = tickers[book.symbol];
      if (!quote) continue;
      report.markets++;
      const observation = book.book.observe(priceOf(quote, book.source));
      for (const [id, h] of observation.moved) this.pendingHighs.set(id, h);
      for (const hit of observation.hits)
        hits.push({
          hit,
          source: book.source,
          downtime: this.crossedWhileDown.has(hit.id) || (!book.observed && this.held.get(hit.id)?.loadedAtStart === true),
        });
      book.observed = true;
    }
    const results = await this.fireCrossings(hits);
    for (const r of results) {
      if (r === 'fired') report.fired++;
      if (r === 'missed') report.missed++;
    }
    return report;
  }

  /**
   * Fires a tick's crossings. A protective exit of a fixed or percentage size takes the direct
   * way (`fireExits`); the rest — a whole-position liquidation, a trigger missed while down, an
   * exit whose checks could not run — goes through an order intent (`fire`).
   */
  private async fireCrossings(crossings: Crossing[]): Promise<ReadonlyArray<'fired' | 'missed' | 'lost'>> {
    // The quiet tick, nearly every tick: nothing to allocate.
    if (crossings.length === 0) return NOTHING_FIRED;
    const results: Array<'fired' | 'missed' | 'lost'> = [];
    const direct: Crossing[] = [];
    const viaIntent: Crossing[] = [];
    for (const c of crossings) {
      const h = this.held.get(c.hit.id);
      const missed = c.downtime && h?.onDowntime !== 'fire';
      if (h?.exit && !liquidatesPosition(h.exit) && !missed) direct.push(c);
      else viaIntent.push(c);
    }
    const toSend: StartedOrders[] = [];
    // Positions are read once per tick and shared out across its chunks (each chunk checks again under the lock).
    const sizing = { positions: new Map<string, Promise<PositionFacts>>(), taken: new Map<string, Decimal>() };
    for (let i = 0; i < direct.length; i += EXITS_PER_TRANSACTION) {
      const outcome = await this.fireExits(direct.slice(i, i + EXITS_PER_TRANSACTION), sizing);
      results.push(...outcome.results);
      viaIntent.push(...outcome.viaIntent);
      if (outcome.started) toSend.push(outcome.started);
    }
    // Sent once every transaction of the tick has committed: the sends' answers would otherwise
    // compete with the remaining transactions for the event loop and the database. Each order's
    // claimed submit message covers a crash before or during the sends.
    for (const started of toSend)
      void this.placement.sendStarted(started).catch((error: unknown) => this.logger.warn(`sending exits failed: ${String(error)}`));
    results.push(...(await mapConcurrently(viaIntent, FIRINGS_IN_FLIGHT, (c) => this.fire(c.hit.id, c.hit, c.source, c.downtime))));
    return results;
  }

  /**
   * Fires protective exits together: each exit order is checked first (exchange rules, balance),
   * then one transaction holds every compare-and-set `ARMED → FIRED`, the timelines, the exit
   * orders with their submission marked started, and a claimed submit message per order; the
   * caller sends the orders after commit. Firing is still exactly once: a lost
   * compare-and-set writes no order, an order marked started is never sent by anyone else, and a
   * crash before the sends leaves each order to be looked up (then placed again under the next
   * firing number when the exchange never got it). The work per stop is a fraction of the intent
   * path's, which takes a transaction and a claim for each of: the intent, the order, the
   * submission, FIRED (ADR 0300, fourth round).
   */
  private async fireExits(
    crossings: Crossing[],
    { positions, taken }: { positions: Map<string, Promise<PositionFacts>>; taken: Map<string, Decimal> },
  ): Promise<{ results: Array<'fired' | 'lost'>; viaIntent: Crossing[]; started?: StartedOrders }> {
    const viaIntent: Crossing[] = [];
    const ready: Array<{ crossing: Crossing; h: Held; order: PreparedOrder; sized: Decimal }> = [];
    const closed: Array<{ crossing: Crossing; h: Held; reason: string; closedBy: ClosedBy | undefined }> = [];
    // Sized one after the other in one order for every engine: exits of one position share what it holds.
    const sorted = [...crossings].sort((a, b) => (a.hit.id < b.hit.id ? -1 : 1));
    const specs = [];
    for (const crossing of sorted) {
      const h = this.held.get(crossing.hit.id);
      if (!h?.exit) continue;
      const market = { accountId: h.accountId, symbol: h.symbol! };
      try {
        specs.push({ crossing, h, exit: await exitOrderSpec(this.queries, market, h.exit, crossing.hit.trigger, positions, taken) });
      } catch (error) {
        if (error instanceof PositionClosedError) closed.push({ crossing, h, reason: error.reason, closedBy: error.closedBy });
        else viaIntent.push(crossing);
      }
    }
    await Promise.all(
      specs.map(async ({ crossing, h, exit }) => {
        try {
          const order = await this.placement.prepare(exit.spec, {
            purpose: 'protective',
            cause: causeOf(h.kind),
            idempotencyKey: firingKey(h.id, h.firings + 1),
            positionExit: { referencePrice: crossing.hit.trigger },
          });
          ready.push({ crossing, h, order, sized: exit.spec.amount! });
        } catch (error) {
          const dust = dustLeft(error, exit);
          if (dust) closed.push({ crossing, h, reason: dust.reason, closedBy: dust.closedBy });
          // Checks that could not run or did not pass: the intent's handler retries or fails the condition with the reason.
          else viaIntent.push(crossing);
        }
      }),
    );
    if (ready.length === 0 && closed.length === 0) return { results: [], viaIntent };
    // One lock order for every engine, so two instances firing overlapping sets never deadlock.
    ready.sort((a, b) => (a.h.id < b.h.id ? -1 : 1));
    for (const r of [...ready, ...closed]) this.drop(r.h.id);
    const now = new Date();
    let started: StartedOrders | undefined;
    let won: typeof ready;
    try {
      won = await this.uow.run(async (tx) => {
        // Under the positions' locks: an exit larger than what is left now (another instance sold some) shrinks or ends.
        const fit = await this.placement.fitExits(
          tx,
          ready.map((r) => r.order),
        );
        const byOrder = new Map(ready.map((r) => [r.order.orderId, r]));
        for (const c of fit.closed) closed.push({ ...byOrder.get(c.order.orderId)!, reason: c.reason, closedBy: c.closedBy });
        await this.cancelClosed(tx, closed, now);
        const winners: typeof ready = [];
        for (const order of fit.fitted) {
          const r = byOrder.get(order.orderId)!;
          const { hit } = r.crossing;
          const high = this.pendingHighs.get(r.h.id);
          const orderIds = [...(JSON.parse(r.h.exit!.orderIds) as string[]), r.order.orderId];
          const set = {
            status: 'FIRED' as const,
            firedLeg: hit.leg,
            firedPrice: hit.price,
            firedTrigger: hit.trigger,
            firings: () => 'firings + 1',
            lastOrderId: r.order.orderId,
            orderIds: JSON.stringify(orderIds),
            ...(high ? { highWaterMark: high } : {}),
          };
          if (await compareAndSet(tx, r.h.id, ['ARMED'], r.h.version, set)) winners.push(r);
        }
        await appendTimelines(
          tx,
          winners.flatMap((w) =>
            [
              ...firingEntries(w.h, w.crossing, now),
              {
                event: 'fired',
                status: 'FIRED' as const,
                at: now,
                details: {
                  orderId: w.order.orderId,
                  amount: w.order.row.amount?.toFixed(),
                  idempotencyKey: firingKey(w.h.id, w.h.firings + 1),
                },
              },
            ].map((entry) => ({ conditionId: w.h.id, ...entry })),
          ),
        );
        started = await this.placement.recordStarted(
          tx,
          winners.map((w) => w.order),
        );
        for (const w of winners)
          tx.publish(new ConditionTriggeredEvent(facts(w.h, 'FIRING')), new ConditionFiredEvent(facts(w.h, 'FIRED')));
        return winners;
      });
    } catch (error) {
      if (started) this.placement.abandon(started);
      // Nothing of this chunk was written: what it took from its positions is theirs again for the next chunks.
      for (const r of ready) {
        const key = marketKey(r.h.accountId, r.h.symbol!);
        taken.set(key, (taken.get(key) ?? r.sized).minus(r.sized));
      }
      for (const r of [...ready, ...closed]) {
        this.reload.add(r.h.id);
        if (r.crossing.downtime) this.crossedWhileDown.add(r.h.id);
      }
      this.logger.warn(`firing ${ready.length} exits failed, will re-evaluate: ${error instanceof Error ? error.message : String(error)}`);
      return { results: [...ready, ...closed].map(() => 'lost' as const), viaIntent };
    }
    for (const r of [...ready, ...closed]) {
      this.crossedWhileDown.delete(r.h.id);
      this.pendingHighs.delete(r.h.id);
    }
    const fired = new Set(won.map((w) => w.h.id));
    const outcomes = [...ready, ...closed].map((r) => (fired.has(r.h.id) ? ('fired' as const) : ('lost' as const)));
    return { results: outcomes, viaIntent, ...(started ? { started } : {}) };
  }

  /**
   * Exits that crossed when their position had nothing left (another exit, a manual sell, a
   * liquidation sold it): they end CANCELLED "position closed", naming what closed it, instead of
   * selling coins the position does not hold.
   */
  private async cancelClosed(
    tx: TransactionScope,
    closed: Array<{ crossing: Crossing; h: Held; reason: string; closedBy: ClosedBy | undefined }>,
    now: Date,
  ): Promise<void> {
    for (const c of closed) {
      const change = positionClosedChange(c.reason, c.closedBy);
      const { hit } = c.crossing;
      if (
        !(await compareAndSet(tx, c.h.id, ['ARMED'], c.h.version, {
          ...change.set,
          firedLeg: hit.leg,
          firedPrice: hit.price,
          firedTrigger: hit.trigger,
        }))
      )
        continue;
      await appendTimeline(tx, c.h.id, [
        {
          event: 'triggered',
          status: 'TRIGGERED',
          price: hit.price,
          trigger: hit.trigger,
          at: now,
          details: { source: c.crossing.source, leg: hit.leg },
        },
        { ...change.entry, at: now },
      ]);
      tx.publish(new ConditionCancelledEvent(facts(c.h, 'CANCELLED'), c.reason, c.closedBy));
    }
  }

  /**
   * Expiries, then the conditionals that are due: those whose next time edge (`at`, `after`, `between`,
   * an `every` occurrence) has come and those watching a market whose quote changed since the last
   * call — never a scan of every armed conditional. Run once per tick after the price reads.
   */
  async evaluateTimeAndConditionals(now = new Date(), maxQuoteAgeMs = 10_000): Promise<TickReport> {
    this.maxQuoteAgeMs = maxQuoteAgeMs;
    const report: TickReport = { markets: 0, fired: 0, expired: 0, missed: 0 };
    for (const id of this.expiries.atOrBelow(dec(now.getTime()))) {
      const h = this.held.get(id);
      if (h && (await this.expire(h, now))) report.expired++;
    }
    const due = new Set(this.dueConditionals.atOrBelow(dec(now.getTime())));
    for (const key of this.changedMarkets) for (const id of this.watchers.get(key) ?? []) due.add(id);
    this.changedMarkets.clear();
    for (const id of due) {
      const h = this.held.get(id);
      if (!h?.when) continue;
      const outcome = await this.evaluateConditional(h, now, maxQuoteAgeMs);
      if (outcome === 'fired') report.fired++;
      if (outcome === 'missed') report.missed++;
    }
    return report;
  }

  private async evaluateConditional(h: Held, now: Date, maxQuoteAgeMs: number): Promise<'fired' | 'missed' | 'lost' | 'waiting'> {
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
        const accountId = leaf.exchange && leaf.exchange !== h.exchange ? this.accountsByExchange.get(leaf.exchange) : h.accountId;
        const m = h.markets!.find((x) => x.leafKey === `${leaf.exchange ?? ''}|${leaf.symbol ?? ''}`);
        const symbol = m?.symbol ?? leaf.symbol ?? '';
        const quote = quoteOf(accountId, symbol);
        const price = quote ? priceOf(quote, leaf.source) : undefined;
        if (price) observed[`${leaf.exchange ?? h.exchange} ${symbol} ${leaf.source}`] = price;
        return price;
      },
      premium: (base) => {
        const premium = premiumOf(
          quoteOf(this.accountsByExchange.get('upbit'), `${base}/KRW`),
          quoteOf(this.accountsByExchange.get('upbit'), 'USDT/KRW'),
          quoteOf(this.accountsByExchange.get('binance'), `${base}/USDT`),
        );
        if (premium) observed[`premium ${base}`] = premium;
        return premium;
      },
    });
    if (JSON.stringify(h.memory) !== before) this.pendingMemory.add(h.id);
    if (satisfied) {
      // Occurrences that fell while no engine ran collapse into this one: policy fire → one catch-up
      // firing; skip/notify → a `missed` line, and the rule stays armed for its next occurrence.
      const late = occurrences.find((o) => o.first.getTime() < this.startedAt);
      const occurrence = occurrences.length
        ? {
            occurrence: occurrences[occurrences.length - 1]!.latest.toISOString(),
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
      return this.fire(h.id, undefined, 'last', late !== undefined, now, { ...occurrence, ...(first ? { prices } : {}) }, first);
    }
    this.scheduleConditional(h, now);
    return 'waiting';
  }

  /** A recurring rule's occurrence missed while down under skip/notify: recorded, and it stays ARMED. */
  private async skipOccurrence(h: Held, late: Occurrence, now: Date): Promise<boolean> {
    const ok = await this.guarded(h.id, () =>
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
        tx.publish(new ConditionMissedEvent(facts(h, 'ARMED')));
        return true;
      }),
    );
    if (ok !== true) return false;
    h.version++;
    this.pendingMemory.delete(h.id);
    return true;
  }

  private indexConditional(h: Held): void {
    for (const m of h.markets ?? []) {
      const key = marketKey(m.accountId, m.symbol);
      let ids = this.watchers.get(key);
      if (!ids) this.watchers.set(key, (ids = new Set()));
      ids.add(h.id);
    }
    // Loaded (at start, armed, re-armed, resumed): evaluated at the next call if time allows it now.
    const now = new Date();
    if (mayHoldAt(h.when!, h.armedAt, now, h.memory)) this.insertDue(h, 0);
    else this.scheduleConditional(h, now);
  }

  private unindexConditional(h: Held): void {
    this.unscheduleConditional(h);
    for (const m of h.markets ?? []) {
      const key = marketKey(m.accountId, m.symbol);
      const ids = this.watchers.get(key);
      ids?.delete(h.id);
      if (ids?.size === 0) this.watchers.delete(key);
    }
  }

  private scheduleConditional(h: Held, now: Date): void {
    if (this.held.get(h.id) !== h) return;
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
  private rememberQuote(key: string, quote: Quote, at: number): void {
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

  /** The next instant a time leaf or an expiry becomes due (the scheduler may sleep until then); `now` when one is due already. */
  nextDue(now = new Date()): Date | undefined {
    const keys = [this.dueConditionals.minKey, this.expiries.minKey].filter((k): k is Decimal => k !== undefined);
    if (keys.length === 0) return undefined;
    const first = Math.min(...keys.map((k) => k.toNumber()));
    return new Date(Math.max(first, now.getTime()));
  }

  private async expire(h: Held, now: Date): Promise<boolean> {
    this.drop(h.id);
    const ok = await this.guarded(h.id, () =>
      this.uow.run(async (tx) => {
        if (!(await compareAndSet(tx, h.id, ['ARMED'], undefined, { status: 'EXPIRED' }))) return false;
        await appendTimeline(tx, h.id, [
          { event: 'expired', status: 'EXPIRED', at: now, details: { expiresAt: new Date(h.expiresAt!).toISOString() } },
        ]);
        return true;
      }),
    );
    return ok === true;
  }

  /** A failed transaction must not lose the condition: it is reloaded from the database next tick. */
  private async guarded<T>(id: string, work: () => Promise<T>): Promise<T | 'error'> {
    try {
      return await work();
    } catch (error) {
      this.reload.add(id);
      this.logger.warn(`condition ${id}: transition failed, will re-evaluate: ${error instanceof Error ? error.message : String(error)}`);
      return 'error';
    }
  }

  /**
   * ARMED → FIRING by compare-and-set on the version, with the order intent in the same
   * transaction; a lost race (another instance, a concurrent PATCH) leaves the row to the winner.
   */
  private async fire(
    id: string,
    hit: BookHit | undefined,
    source: PriceSource,
    downtime: boolean,
    now = new Date(),
    cause: Record<string, unknown> = {},
    /** A conditional's observed price (its first price leaf): the `price` of its timeline lines. */
    observedPrice?: Decimal,
  ): Promise<'fired' | 'missed' | 'lost'> {
    const h = this.held.get(id);
    if (!h) return 'lost';
    this.drop(id);
    const missed = downtime && h.onDowntime !== 'fire';
    const leg = hit ? hit.leg : 'when';
    const messageId = await this.guarded(id, () =>
      this.uow.run(async (tx) => {
        const high = this.pendingHighs.get(id);
        const set = missed
          ? { status: 'MISSED' as const, firedPrice: hit?.price ?? null, firedTrigger: hit?.trigger ?? null, firedLeg: leg }
          : {
              status: 'FIRING' as const,
              firedLeg: leg,
              firedPrice: hit?.price ?? null,
              firedTrigger: hit?.trigger ?? null,
              firings: () => 'firings + 1',
              ...(high ? { highWaterMark: high } : {}),
              ...(h.memory ? { memory: JSON.stringify(h.memory) } : {}),
            };
        if (!(await compareAndSet(tx, id, ['ARMED'], h.version, set))) return undefined;
        if (missed) {
          const details = { source, leg, ...cause, crossedWhileDown: true, policy: h.onDowntime };
          const common = { price: hit?.price ?? observedPrice ?? null, trigger: hit?.trigger ?? null, at: now };
          await appendTimeline(tx, id, [{ event: 'missed', status: 'MISSED', ...common, details }]);
          tx.publish(new ConditionMissedEvent(facts(h, 'MISSED')));
          return null;
        }
        await appendTimeline(tx, id, firingEntries(h, { hit, source, downtime }, now, cause, observedPrice));
        const message = await this.outbox.enqueue(
          tx,
          FIRE_TOPIC,
          { conditionId: id, firing: h.version + 1, key: firingKey(id, h.firings + 1) },
          { priority: isProtective(h.kind) ? 0 : 50 },
        );
        tx.publish(new ConditionTriggeredEvent(facts(h, 'FIRING')));
        return message.id;
      }),
    );
    if (messageId === 'error') {
      if (downtime) this.crossedWhileDown.add(id);
      return 'lost';
    }
    this.crossedWhileDown.delete(id);
    this.pendingHighs.delete(id);
    if (messageId === undefined) return 'lost';
    if (messageId === null) return 'missed';
    // Submitted right away; the outbox poller covers a crash before or during this call.
    void this.outbox
      .dispatchNow(messageId)
      .catch((error: unknown) => this.logger.warn(`condition ${id}: intent dispatch failed: ${String(error)}`));
    return 'fired';
  }

  /** Writes moved high-water marks and crossing memory in one batch (no version bump). */
  async flush(): Promise<number> {
    const highs = [...this.pendingHighs];
    const memories = [...this.pendingMemory];
    if (highs.length === 0 && memories.length === 0) return 0;
    this.pendingHighs.clear();
    this.pendingMemory.clear();
    await this.uow.run(async ({ manager }) => {
      for (const [id, high] of highs) await manager.update(ConditionOrmEntity, { id, status: 'ARMED' }, { highWaterMark: high });
      for (const id of memories) {
        const h = this.held.get(id);
        if (h?.memory) await manager.update(ConditionOrmEntity, { id, status: 'ARMED' }, { memory: JSON.stringify(h.memory) });
      }
    });
    return highs.length + memories.length;
  }

  /** Used by the intent handler when an order ends a protective condition in FAILED. */
  static failedEvent(row: ConditionOrmEntity, reason: string): ConditionFailedEvent {
    return new ConditionFailedEvent(facts(row, 'FAILED'), reason);
  }
}

/** Upbit KRW price vs Binance USDT price × USDT/KRW, in percent. */
export function premiumOf(krw: Quote | undefined, usdtKrw: Quote | undefined, usdt: Quote | undefined): Decimal | undefined {
  if (!krw || !usdtKrw || !usdt) return undefined;
  const reference = usdt.last.times(usdtKrw.last);
  if (reference.isZero()) return undefined;
  return krw.last.div(reference).minus(1).times(100);
}

/** The idempotency key of a condition's order for one firing, numbered from 1 (a recurring rule or a re-placed exit fires again). */
export function firingKey(conditionId: string, firing: number): string {
  return `cond-${conditionId}-${firing}`;
}

/** The timeline of a firing: what was crossed (price, trigger, source), FIRING, and for a bracket its other leg cancelled. */
function firingEntries(
  h: Pick<Held, 'kind' | 'onDowntime'>,
  crossing: { hit: BookHit | undefined; source: PriceSource; downtime: boolean },
  now: Date,
  cause: Record<string, unknown> = {},
  observedPrice?: Decimal,
): TimelineEntry[] {
  const { hit, source, downtime } = crossing;
  const leg = hit ? hit.leg : 'when';
  const common = { price: hit?.price ?? observedPrice ?? null, trigger: hit?.trigger ?? null, at: now };
  const details = { source, leg, ...cause, ...(downtime ? { crossedWhileDown: true, policy: h.onDowntime } : {}) };
  const entries: TimelineEntry[] = [
    { event: 'triggered', status: 'TRIGGERED', ...common, details },
    { event: 'firing', status: 'FIRING', ...common, details: { leg } },
  ];
  if (h.kind === 'bracket')
    entries.push({ event: 'leg-cancelled', status: 'FIRING', ...common, details: { leg: leg === 'stop' ? 'take_profit' : 'stop' } });
  return entries;
}

const NOTHING_FIRED: ReadonlyArray<'fired' | 'missed' | 'lost'> = [];

/** Exits fired in one transaction: enough to amortize it, few enough that the first sends leave early. */
const EXITS_PER_TRANSACTION = 50;

/**
 * Firing transactions run at once per tick. Each is short, but a thousand started together would
 * queue for the one SQLite connection (blocking the event loop commit after commit) or exhaust the
 * PostgreSQL pool; a few at a time fire them all as fast and leave room for everything else.
 */
const FIRINGS_IN_FLIGHT = 8;

async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
