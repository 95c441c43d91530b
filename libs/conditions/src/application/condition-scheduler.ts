import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { OrderTracker } from '@tradedesk/orders';
import { HealthIndicatorService } from '@nestjs/terminus';
import { HealthRegistry, NotFoundError, RequestContext, SchedulerConfig } from '@tradedesk/shared';
import { PositionUnprotectedEvent, PricesPolledEvent } from '../domain/condition.events.js';
import { ConditionEngine } from './condition-engine.js';
import { NativeBracketHandler } from './native-bracket.handler.js';
import { FireConditionHandler } from './fire-condition.handler.js';

/** How many ticks between batched writes of high-water marks. */
const FLUSH_EVERY_TICKS = 5;
/** Ticks in a row without a market's price before the positions its stops protect are reported unprotected. */
const UNPROTECTED_AFTER_TICKS = 5;
/** How often FIRED conditions are checked against their orders (catches an end missed by a crash). */
const STRAGGLER_SWEEP_MS = 10_000;

/**
 * Drives the engine: a self-rescheduling timer (a tick never overlaps the previous one) that reads
 * every watched market with one batched ticker call per account on the protective lane. Each
 * account is read independently, so a slow exchange does not stall the other. The first tick waits
 * for the start-up reconciliation of orders.
 */
@Injectable()
export class ConditionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConditionScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticks = 0;
  private readonly inFlight = new Map<string, Promise<void>>();
  private current: Promise<void> | undefined;
  private lastSweepAt = 0;
  /** Markets whose price is missing, with how many ticks in a row and whether that was reported. */
  private readonly unread = new Map<string, { ticks: number; since: Date; reported: boolean }>();
  lastTickAt: Date | undefined;

  constructor(
    private readonly engine: ConditionEngine,
    private readonly firing: FireConditionHandler,
    private readonly native: NativeBracketHandler,
    private readonly gateways: ExchangeGateways,
    private readonly tracker: OrderTracker,
    private readonly config: SchedulerConfig,
    private readonly events: EventBus,
    registry: HealthRegistry,
    indicator: HealthIndicatorService,
  ) {
    registry.register({
      name: 'conditions',
      readiness: false,
      check: async () => {
        const session = indicator.check('conditions');
        const facts = { armed: this.engine.armedCount, lastTickAt: this.lastTickAt?.toISOString() ?? null };
        // Down when ticks stopped (not before the first one: that waits for order reconciliation).
        const stale = this.lastTickAt !== undefined && Date.now() - this.lastTickAt.getTime() > Math.max(30_000, this.config.tickMs * 10);
        return stale ? session.down({ ...facts, message: 'the condition scheduler has not ticked recently' }) : session.up(facts);
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.tracker.whenReconciled().then(() => {
      if (!this.stopped) this.schedule(0);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight.values()]);
    await this.engine.flush().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = RequestContext.run(`conditions-tick`, () => this.tick())
        .catch((error: unknown) => this.logger.warn(`condition tick failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.current = undefined;
          this.schedule(this.config.tickMs);
        });
    }, delayMs);
  }

  /** One tick: sync with the database, read prices per account (in parallel), evaluate. */
  async tick(now = new Date()): Promise<void> {
    await this.engine.sync(now);
    const reads: Array<Promise<void>> = [];
    const watched = this.engine.watchedMarkets();
    // A market nothing watches any more has no streak to keep.
    for (const key of this.unread.keys()) {
      const [accountId, symbol] = key.split(' ') as [string, string];
      if (!watched.get(accountId)?.has(symbol)) this.unread.delete(key);
    }
    for (const [accountId, symbols] of watched) {
      // An account whose previous read is still running is skipped this tick, not waited for.
      if (this.inFlight.has(accountId)) continue;
      const read = this.read(accountId, [...symbols]).finally(() => this.inFlight.delete(accountId));
      this.inFlight.set(accountId, read);
      reads.push(read);
    }
    // Wait for the reads, but never longer than a tick: a slow account finishes on its own.
    await Promise.race([Promise.allSettled(reads), new Promise((resolve) => setTimeout(resolve, this.config.tickMs).unref())]);
    await this.engine.evaluateTimeAndConditionals(new Date(), Math.max(10_000, this.config.tickMs * 5));
    if (++this.ticks % FLUSH_EVERY_TICKS === 0) await this.engine.flush();
    if (Date.now() - this.lastSweepAt >= STRAGGLER_SWEEP_MS) {
      this.lastSweepAt = Date.now();
      const settled = (await this.firing.settleStragglers()) + (await this.native.settleStragglers());
      if (settled > 0) this.logger.log(`settled ${settled} fired condition(s) whose order had ended unnoticed`);
    }
    this.lastTickAt = new Date();
  }

  /**
   * Reads one account's watched markets. A market that cannot be read (unknown to the exchange —
   * delisted since it was armed — or missing from the answer) is left out and reported: it never
   * keeps the account's other markets, and the stops on them, from being evaluated.
   */
  private async read(accountId: string, symbols: string[]): Promise<void> {
    let readable = symbols;
    try {
      const gateway = await this.gateways.forAccount(accountId);
      readable = [];
      for (const symbol of symbols) {
        try {
          await gateway.market(symbol);
          readable.push(symbol);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          this.unreadable(accountId, symbol, error.message);
        }
      }
      const tickers = readable.length > 0 ? await gateway.fetchTickers(readable, { lane: 'protective', fresh: true }) : {};
      for (const symbol of readable)
        if (tickers[symbol]) this.readAgain(accountId, symbol);
        else this.unreadable(accountId, symbol, `${gateway.exchange} answered no ticker for ${symbol}`);
      await this.engine.observe(accountId, tickers);
      this.events.publish(
        new PricesPolledEvent(
          accountId,
          Object.fromEntries(Object.entries(tickers).map(([symbol, t]) => [symbol, t.last.toFixed()])),
          new Date(),
        ),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const symbol of readable) this.unreadable(accountId, symbol, reason);
      this.logger.warn(`prices of account ${accountId} not read this tick: ${reason}`);
    }
  }

  /** Counts a tick without a market's price; after UNPROTECTED_AFTER_TICKS its protective conditions' positions are reported unprotected, once. */
  private unreadable(accountId: string, symbol: string, reason: string): void {
    const key = `${accountId} ${symbol}`;
    const streak = this.unread.get(key) ?? { ticks: 0, since: new Date(), reported: false };
    streak.ticks++;
    this.unread.set(key, streak);
    if (streak.ticks === 1) this.logger.warn(`market ${symbol} of account ${accountId} cannot be read: ${reason}`);
    if (streak.reported || streak.ticks < UNPROTECTED_AFTER_TICKS) return;
    const conditions = this.engine.protectiveWatching(accountId, symbol);
    if (conditions.length === 0) return;
    streak.reported = true;
    this.logger.error(
      `market ${symbol} of account ${accountId} unread for ${streak.ticks} ticks: ${conditions.length} protective condition(s) cannot fire (${reason})`,
    );
    this.events.publish(new PositionUnprotectedEvent(accountId, symbol, conditions, reason, streak.since));
  }

  private readAgain(accountId: string, symbol: string): void {
    const key = `${accountId} ${symbol}`;
    const streak = this.unread.get(key);
    if (!streak) return;
    this.unread.delete(key);
    this.logger.log(`market ${symbol} of account ${accountId} is read again after ${streak.ticks} tick(s)`);
  }
}
