import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  ConditionsConfig,
  EvaluateDueConditionsCommand,
  EvaluateTriggersCommand,
  GetWatchedMarketsQuery,
  type WatchedMarkets,
} from '@tradedesk/conditions';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { GetOrderReconciliationQuery, type OrderReconciliation } from '@tradedesk/orders';
import { MetricsPort, NotFoundError, RequestContext } from '@tradedesk/shared';

const JOB = 'price-poll';
/** Before the start-up reconciliation of orders is done, ask again this often. */
const RECONCILIATION_POLL_MS = 100;

/**
 * The tick of tradedesk: every TICK_MS it reads the prices of every market the conditions watch —
 * one batched ticker call per account on the protective lane, accounts in parallel — hands each
 * account's prices to the conditions, then lets them evaluate what is due. A self-rescheduling
 * timeout (registered as a job) so that a tick never overlaps the previous one. The first tick
 * waits for the start-up reconciliation of orders.
 */
@Injectable()
export class PricePoll implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PricePoll.name);
  private stopped = false;
  private current: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly gateways: ExchangeGateways,
    private readonly config: ConditionsConfig,
    private readonly metrics: MetricsPort,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops ticking and waits for the tick in progress, before any module shuts down. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('timeout', JOB)) this.registry.deleteTimeout(JOB);
    await this.current?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.registry.doesExist('timeout', JOB)) this.registry.deleteTimeout(JOB);
    const timer = setTimeout(() => {
      this.registry.deleteTimeout(JOB);
      this.current = RequestContext.run('conditions-tick', () => this.tickWhenReady())
        .catch((error: unknown) => this.logger.warn(`condition tick failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (this.current = undefined));
    }, delayMs);
    this.registry.addTimeout(JOB, timer);
  }

  private async tickWhenReady(): Promise<void> {
    const { reconciled } = await this.queries.execute<GetOrderReconciliationQuery, OrderReconciliation>(new GetOrderReconciliationQuery());
    if (!reconciled) return this.schedule(RECONCILIATION_POLL_MS);
    try {
      await this.tick();
    } finally {
      this.schedule(this.config.tickMs);
    }
  }

  /** One tick: the watched markets, their prices per account (in parallel), then what is due. */
  async tick(now = new Date()): Promise<void> {
    const started = performance.now();
    // The conditions' own part of the tick (evaluating prices read and what is due), without the exchange reads.
    const evaluation = { seconds: 0, exchanges: new Set<string>() };
    const watched = await this.queries.execute<GetWatchedMarketsQuery, WatchedMarkets>(new GetWatchedMarketsQuery(now));
    const reads: Array<Promise<void>> = [];
    for (const [accountId, symbols] of watched) {
      // An account whose previous read is still running is skipped this tick, not waited for.
      if (this.inFlight.has(accountId)) continue;
      const read = this.read(accountId, symbols, evaluation).finally(() => this.inFlight.delete(accountId));
      this.inFlight.set(accountId, read);
      reads.push(read);
    }
    // Wait for the reads, but never longer than a tick: a slow account finishes on its own.
    await Promise.race([Promise.allSettled(reads), new Promise((resolve) => setTimeout(resolve, this.config.tickMs).unref())]);
    const due = performance.now();
    await this.commands.execute(new EvaluateDueConditionsCommand(new Date(), Math.max(10_000, this.config.tickMs * 5)));
    const ended = performance.now();
    evaluation.seconds += (ended - due) / 1000;
    this.metrics.tickEnded({
      seconds: (ended - started) / 1000,
      evaluationSeconds: evaluation.seconds,
      endedAt: new Date(),
      exchangesWatched: [...evaluation.exchanges],
    });
  }

  /**
   * Reads one account's watched markets. A market that cannot be read (unknown to the exchange —
   * delisted since it was armed — or missing from the answer) is left out and reported: it never
   * keeps the account's other markets, and the stops on them, from being evaluated.
   */
  private async read(accountId: string, symbols: string[], evaluation: { seconds: number; exchanges: Set<string> }): Promise<void> {
    const unreadable: Array<{ symbol: string; reason: string }> = [];
    let readable = symbols;
    let quotes = {};
    try {
      const gateway = await this.gateways.forAccount(accountId);
      evaluation.exchanges.add(gateway.exchange);
      readable = [];
      for (const symbol of symbols) {
        try {
          await gateway.market(symbol);
          readable.push(symbol);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          unreadable.push({ symbol, reason: error.message });
        }
      }
      const tickers = readable.length > 0 ? await gateway.fetchTickers(readable, { lane: 'protective', fresh: true }) : {};
      for (const symbol of readable)
        if (!tickers[symbol]) unreadable.push({ symbol, reason: `${gateway.exchange} answered no ticker for ${symbol}` });
      quotes = tickers;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const symbol of readable) unreadable.push({ symbol, reason });
      this.logger.warn(`prices of account ${accountId} not read this tick: ${reason}`);
    }
    const evaluating = performance.now();
    await this.commands.execute(new EvaluateTriggersCommand(accountId, quotes, unreadable, new Date()));
    evaluation.seconds += (performance.now() - evaluating) / 1000;
  }
}
