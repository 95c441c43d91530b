import { Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { OrderPlacement, type StartedOrders } from '@tradedesk/orders';
import { type Decimal, dec, Outbox, UnitOfWork } from '@tradedesk/shared';
import { In, MoreThanOrEqual } from 'typeorm';
import { ConditionExpiredEvent, ConditionFailedEvent } from '../domain/condition.events.js';
import { isProtective, marketKey, priceOf, type Quote } from '../domain/condition.types.js';
import { liquidatesPosition } from '../domain/exit-order.js';
import { MarketTriggerBook, SortedBook } from '../domain/trigger-book.js';
import { parseWhen } from '../domain/when-tree.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { exitTermsOf } from './condition-orders.js';
import { appendTimeline, compareAndSet } from './condition-store.js';
import { ConditionalEvaluation } from './engine/conditional-evaluation.js';
import { type Book, type Crossing, EngineState, facts, type FiringResult, type Held, type TickReport } from './engine/engine-state.js';
import { ExitFiring, type ExitSizing } from './engine/exit-firing.js';
import { conditionalMarkets, heldOf, trailingOf } from './engine/held-rows.js';
import { IntentFiring } from './engine/intent-firing.js';

export { FIRE_TOPIC, firingKey } from './engine/firing-timeline.js';
export { premiumOf } from './engine/conditional-evaluation.js';
export type { TickReport } from './engine/engine-state.js';

/**
 * The in-memory side of the conditions: per-market trigger books mirroring the ARMED rows, fed with
 * prices each tick. Firing is a compare-and-set on the row in the same transaction as what it sets
 * off — the exit orders themselves for a batch of protective exits (ExitFiring), an outbox intent
 * otherwise (IntentFiring) — so several engines on one database still fire each condition once.
 * Conditionals are evaluated by ConditionalEvaluation, only when due.
 */
@Injectable()
export class ConditionEngine {
  private readonly logger = new Logger(ConditionEngine.name);
  private readonly state: EngineState;
  private readonly books = new Map<string, Book>();
  private readonly conditionalIds = new Set<string>();
  /** Expiry instants (ms) of held conditions, so a tick finds the due ones without a scan. */
  private readonly expiries = new SortedBook();
  private syncedUntil: Date | undefined;
  private readonly exits: ExitFiring;
  private readonly intent: IntentFiring;
  private readonly conditionals: ConditionalEvaluation;

  constructor(
    private readonly uow: UnitOfWork,
    outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly placement: OrderPlacement,
    queries: QueryBus,
  ) {
    this.state = new EngineState(this.logger, (id) => this.drop(id));
    this.exits = new ExitFiring(uow, placement, queries, this.state);
    this.intent = new IntentFiring(uow, outbox, this.state);
    this.conditionals = new ConditionalEvaluation(uow, this.state, this.intent);
  }

  get armedCount(): number {
    return this.state.held.size;
  }

  /** How many conditional evaluations ran (a seam for tests and a figure for the bench). */
  get evaluations(): number {
    return this.conditionals.evaluations;
  }

  /** Loads every ARMED row on the first call, then only rows changed since the last sync (other instances, the API). */
  async sync(now = new Date()): Promise<void> {
    const first = this.syncedUntil === undefined;
    // Overlap the window: a transaction that committed late with an earlier changedAt is still seen.
    const since = first ? undefined : new Date(this.syncedUntil!.getTime() - 5_000);
    const rows = await this.uow.run(({ manager }) =>
      manager.find(ConditionOrmEntity, { where: since ? { changedAt: MoreThanOrEqual(since) } : { status: In(['ARMED']) } }),
    );
    if (first || this.state.accountsByExchange.size === 0) {
      this.state.accountsByExchange = new Map();
      for (const a of await this.gateways.listAccounts())
        if (!this.state.accountsByExchange.has(a.exchange)) this.state.accountsByExchange.set(a.exchange, a.id);
    }
    for (const row of rows) this.apply(row, first);
    if (this.state.reload.size > 0) {
      const ids = [...this.state.reload];
      this.state.reload.clear();
      const again = await this.uow.run(({ manager }) => manager.find(ConditionOrmEntity, { where: { id: In(ids) } }));
      for (const row of again) this.apply(row, false);
    }
    this.syncedUntil = now;
  }

  private apply(row: ConditionOrmEntity, atStart: boolean): void {
    const current = this.state.held.get(row.id);
    if (current && current.version >= row.version && row.status === 'ARMED') return;
    // An adjusted trailing stop keeps the mark this engine already saw (the row's may be a few ticks old).
    const seenHigh = current?.bookKey ? this.books.get(current.bookKey)?.book.highWaterMark(row.id) : undefined;
    const high = seenHigh && (!row.highWaterMark || seenHigh.gt(row.highWaterMark)) ? seenHigh : row.highWaterMark;
    this.drop(row.id);
    // A native bracket rests at the exchange, which triggers it: nothing to watch here.
    if (row.status !== 'ARMED' || row.placement === 'native') return;
    const h = heldOf(row, atStart);
    if (isProtective(row.kind)) this.addToBook(row, h, high);
    else {
      h.when = parseWhen(JSON.parse(row.whenTree!), new Date(0));
      h.memory = row.memory ? (JSON.parse(row.memory) as Record<string, string>) : {};
      h.markets = conditionalMarkets(h.when, row, this.state.accountsByExchange);
      this.conditionalIds.add(row.id);
    }
    this.state.held.set(row.id, h);
    if (h.when) this.conditionals.indexConditional(h);
    if (h.expiresAt !== undefined) this.expiries.insert(h.id, dec(h.expiresAt));
  }

  /** A protective condition's exit terms, and its triggers in the book of the market and source it watches. */
  private addToBook(row: ConditionOrmEntity, h: Held, high: Decimal | null): void {
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
      ...(row.kind === 'trailing_stop' ? { trailing: trailingOf(row, high) } : {}),
    });
  }

  private drop(id: string): void {
    const h = this.state.held.get(id);
    if (!h) return;
    this.state.held.delete(id);
    this.conditionalIds.delete(id);
    if (h.when) this.conditionals.unindexConditional(h);
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
      const symbols = out.get(accountId) ?? new Set<string>();
      symbols.add(symbol);
      out.set(accountId, symbols);
    };
    for (const book of this.books.values()) add(book.accountId, book.symbol);
    for (const id of this.conditionalIds) for (const m of this.state.held.get(id)!.markets ?? []) add(m.accountId, m.symbol);
    return out;
  }

  /** The protective conditions whose trigger book watches a market (read through `accountId`). */
  protectiveWatching(accountId: string, symbol: string): Array<{ conditionId: string; accountId: string; symbol: string | null }> {
    const out: Array<{ conditionId: string; accountId: string; symbol: string | null }> = [];
    for (const h of this.state.held.values()) {
      if (!h.bookKey) continue;
      const book = this.books.get(h.bookKey);
      if (book?.accountId === accountId && book.symbol === symbol)
        out.push({ conditionId: h.id, accountId: h.accountId, symbol: h.symbol });
    }
    return out;
  }

  /** One book against its market's quote: the moved high-water marks are kept to flush, the crossed triggers answered. */
  private crossings(book: Book, quote: Quote, observedAt: Date): Crossing[] {
    const observation = book.book.observe(priceOf(quote, book.source));
    for (const [id, h] of observation.moved) this.state.pendingHighs.set(id, h);
    const first = !book.observed;
    book.observed = true;
    return observation.hits.map((hit) => ({
      hit,
      source: book.source,
      // The first look at a market after start judges what was crossed while no engine ran.
      downtime: this.state.crossedWhileDown.has(hit.id) || (first && this.state.held.get(hit.id)?.loadedAtStart === true),
      observedAt,
    }));
  }

  /** Evaluates the books of one account's markets against fresh tickers. */
  async observe(accountId: string, tickers: Record<string, Quote>, now = new Date()): Promise<TickReport> {
    const report: TickReport = { markets: 0, fired: 0, expired: 0, missed: 0 };
    for (const [symbol, quote] of Object.entries(tickers))
      this.conditionals.rememberQuote(marketKey(accountId, symbol), quote, now.getTime());
    const hits: Crossing[] = [];
    for (const book of this.books.values()) {
      const quote = book.accountId === accountId ? tickers[book.symbol] : undefined;
      if (!quote) continue;
      report.markets++;
      hits.push(...this.crossings(book, quote, now));
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
  private async fireCrossings(crossings: Crossing[]): Promise<ReadonlyArray<FiringResult>> {
    // The quiet tick, nearly every tick: nothing to allocate.
    if (crossings.length === 0) return NOTHING_FIRED;
    const results: FiringResult[] = [];
    const direct: Crossing[] = [];
    const viaIntent: Crossing[] = [];
    for (const c of crossings) {
      const h = this.state.held.get(c.hit.id);
      const missed = c.downtime && h?.onDowntime !== 'fire';
      if (h?.exit && !liquidatesPosition(h.exit) && !missed) direct.push(c);
      else viaIntent.push(c);
    }
    const toSend: StartedOrders[] = [];
    // Positions are read once per tick and shared out across its chunks (each chunk checks again under the lock).
    const sizing: ExitSizing = { positions: new Map(), taken: new Map() };
    for (let i = 0; i < direct.length; i += EXITS_PER_TRANSACTION) {
      const outcome = await this.exits.fireExits(direct.slice(i, i + EXITS_PER_TRANSACTION), sizing);
      results.push(...outcome.results);
      viaIntent.push(...outcome.viaIntent);
      if (outcome.started) toSend.push(outcome.started);
    }
    // Sent once every transaction of the tick has committed: the sends' answers would otherwise
    // compete with the remaining transactions for the event loop and the database. Each order's
    // claimed submit message covers a crash before or during the sends.
    for (const started of toSend)
      void this.placement.sendStarted(started).catch((error: unknown) => this.logger.warn(`sending exits failed: ${String(error)}`));
    results.push(
      ...(await mapConcurrently(viaIntent, FIRINGS_IN_FLIGHT, (c) =>
        this.intent.fire(c.hit.id, c.hit, c.source, c.downtime, c.observedAt),
      )),
    );
    return results;
  }

  /**
   * Expiries, then the conditionals that are due: those whose next time edge (`at`, `after`, `between`,
   * an `every` occurrence) has come and those watching a market whose quote changed since the last
   * call — never a scan of every armed conditional. Run once per tick after the price reads.
   */
  async evaluateTimeAndConditionals(now = new Date(), maxQuoteAgeMs = 10_000): Promise<TickReport> {
    const report: TickReport = { markets: 0, fired: 0, expired: 0, missed: 0 };
    for (const id of this.expiries.atOrBelow(dec(now.getTime()))) {
      const h = this.state.held.get(id);
      if (h && (await this.expire(h, now))) report.expired++;
    }
    for (const id of this.conditionals.due(now, maxQuoteAgeMs)) {
      const h = this.state.held.get(id);
      if (!h?.when) continue;
      const outcome = await this.conditionals.evaluateConditional(h, now, maxQuoteAgeMs);
      if (outcome === 'fired') report.fired++;
      if (outcome === 'missed') report.missed++;
    }
    return report;
  }

  /** The next instant a time leaf or an expiry becomes due (the scheduler may sleep until then); `now` when one is due already. */
  nextDue(now = new Date()): Date | undefined {
    const keys = [this.conditionals.dueConditionals.minKey, this.expiries.minKey].filter((k): k is Decimal => k !== undefined);
    if (keys.length === 0) return undefined;
    const first = Math.min(...keys.map((k) => k.toNumber()));
    return new Date(Math.max(first, now.getTime()));
  }

  private async expire(h: Held, now: Date): Promise<boolean> {
    this.drop(h.id);
    const ok = await this.state.guarded(h.id, () =>
      this.uow.run(async (tx) => {
        if (!(await compareAndSet(tx, h.id, ['ARMED'], undefined, { status: 'EXPIRED' }))) return false;
        await appendTimeline(tx, h.id, [
          { event: 'expired', status: 'EXPIRED', at: now, details: { expiresAt: new Date(h.expiresAt!).toISOString() } },
        ]);
        tx.publish(new ConditionExpiredEvent(facts(h, 'EXPIRED'), new Date(h.expiresAt!)));
        return true;
      }),
    );
    return ok === true;
  }

  /** Writes moved high-water marks and crossing memory in one batch (no version bump). */
  async flush(): Promise<number> {
    const highs = [...this.state.pendingHighs];
    const memories = [...this.state.pendingMemory];
    if (highs.length === 0 && memories.length === 0) return 0;
    this.state.pendingHighs.clear();
    this.state.pendingMemory.clear();
    await this.uow.run(async ({ manager }) => {
      for (const [id, high] of highs) await manager.update(ConditionOrmEntity, { id, status: 'ARMED' }, { highWaterMark: high });
      for (const id of memories) {
        const h = this.state.held.get(id);
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

/** Exits fired in one transaction: enough to amortize it, few enough that the first sends leave early. */
const EXITS_PER_TRANSACTION = 50;

const NOTHING_FIRED: ReadonlyArray<FiringResult> = [];

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
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
