import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { type ExchangeOrder, ExchangeGateways, type RequestLane } from '@tradedesk/exchanges';
import { HealthRegistry, Outbox, RequestContext, UnitOfWork } from '@tradedesk/shared';
import { OrdersConfig } from '../orders.config.js';
import { In, IsNull, Not } from 'typeorm';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { OrderLedger, snapshotChanges } from './order-ledger.js';
import { fillsOf, laneOf, lookUp, type LookupOutcome, OrderSubmission } from './order-submission.js';

const FOLLOWED = ['OPEN', 'PARTIALLY_FILLED', 'UNKNOWN'] as const;

/**
 * Follows every live order until it is terminal, and on start reconciles all of them with their
 * exchanges before anything else may send orders (the outbox starts only afterwards).
 */
@Injectable()
export class OrderTracker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderTracker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private reconciledAt: Date | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly ledger: OrderLedger,
    private readonly submission: OrderSubmission,
    private readonly config: OrdersConfig,
    registry: HealthRegistry,
    indicator: HealthIndicatorService,
  ) {
    registry.register({
      name: 'orders',
      readiness: true,
      check: () => {
        const session = indicator.check('orders');
        return Promise.resolve(
          this.reconciledAt
            ? session.up({ reconciledAt: this.reconciledAt.toISOString() })
            : session.down({ message: `start-up order reconciliation not finished${this.lastError ? `: ${this.lastError}` : ''}` }),
        );
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.reconcileAtStart();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Whether start-up reconciliation is done (GetOrderReconciliationQuery: the price poll waits for it). */
  get reconciled(): boolean {
    return this.reconciledAt !== undefined;
  }

  private async reconcileAtStart(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const count = await RequestContext.run('reconciliation', () => this.reconcile('reconciliation', true));
        this.reconciledAt = new Date();
        this.logger.log(`start-up reconciliation brought ${count} live order(s) up to date`);
        break;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (attempt >= 4) {
          // An exchange that stays away must not hold the other one hostage: the tracker keeps trying.
          this.reconciledAt = new Date();
          this.logger.error(`start-up reconciliation incomplete, continuing: ${this.lastError}`);
          break;
        }
        this.logger.warn(`start-up reconciliation failed (attempt ${attempt + 1}), retrying: ${this.lastError}`);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    }
    await this.outbox
      .start(Math.min(1000, this.config.orderPollMs))
      .catch((error: unknown) => this.logger.error(`outbox start failed: ${error instanceof Error ? error.message : String(error)}`));
    this.timer = setInterval(() => void this.pollNow(), this.config.orderPollMs);
    this.timer.unref();
  }

  /**
   * One pass over live orders; concurrent calls share the pass in flight. `fresh` waits for a
   * pass in flight and then makes a new one, so the caller sees the exchange as it is now.
   */
  async pollNow(fresh = false): Promise<number> {
    if (fresh && this.running) await this.running.catch(() => undefined);
    this.running ??= RequestContext.run(undefined, () => this.reconcile('tracker', false)).finally(() => (this.running = undefined));
    return this.running.catch((error: unknown) => {
      this.logger.warn(`order tracking pass failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    });
  }

  /**
   * Brings every followed order up to date with its exchange. Orders resting on a book are read
   * per market in one open-orders call (a hundred resting orders must not cost a hundred requests
   * every pass and starve new orders of request weight); an order missing from that list has
   * ended, or sits beyond the list's page, and is fetched on its own, as are UNKNOWN orders (by
   * client order id). At start-up, PENDING orders whose submission had begun are treated as
   * UNKNOWN and looked up by client order id.
   */
  private async reconcile(cause: string, atStart: boolean): Promise<number> {
    const orders = await this.uow.run(({ manager }) =>
      manager.find(OrderOrmEntity, {
        where: [{ status: In([...FOLLOWED]) }, ...(atStart ? [{ status: 'PENDING' as const, submittedAt: Not(IsNull()) }] : [])],
        order: { createdAt: 'ASC' },
      }),
    );
    const books = new RestingOrders(this.gateways, orders);
    let failures = 0;
    for (const order of orders) {
      try {
        if (!(await this.reconcileOne(order, books, cause))) failures++;
      } catch (error) {
        failures++;
        this.logger.warn(`could not reconcile order ${order.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (atStart && failures > 0) throw new Error(`${failures} of ${orders.length} live orders could not be reached`);
    return orders.length;
  }

  /** One order brought up to date; false when its exchange could not be reached. */
  private async reconcileOne(order: OrderOrmEntity, books: RestingOrders, cause: string): Promise<boolean> {
    const gateway = await this.gateways.forAccount(order.accountId);
    const resting = await books.snapshotOf(order);
    if (resting && !snapshotChanges(order, resting)) return true;
    const outcome: LookupOutcome = resting ? { kind: 'found', snapshot: resting } : await lookUp(gateway, order);
    if (outcome.kind === 'found') {
      const trades = await fillsOf(gateway, order, outcome.snapshot);
      await this.ledger.applySnapshot(order.id, outcome.snapshot, cause, trades);
      if (outcome.snapshot.filled.gt(order.filled)) await this.gateways.invalidateBalances(order.accountId);
      return true;
    }
    if (order.status === 'PENDING') {
      // Not there (yet): let the bounded resolution decide, never resend.
      await this.uow.run(async (tx) => {
        const row = await this.ledger.lock(tx.manager, order.id);
        if (row?.status === 'PENDING') await this.submission.markInterrupted(tx, row, cause);
      });
      return true;
    }
    return outcome.kind !== 'unreachable';
  }
}

/**
 * One tracking pass's view of the books: the open orders of each (account, market) that has a
 * resting order of ours, fetched once on first need, in the protective lane when any of them
 * protects a position.
 */
class RestingOrders {
  private readonly lanes = new Map<string, RequestLane>();
  private readonly lists = new Map<string, Promise<Map<string, ExchangeOrder> | undefined>>();

  constructor(
    private readonly gateways: ExchangeGateways,
    orders: readonly OrderOrmEntity[],
  ) {
    for (const order of orders) {
      if (!RestingOrders.rests(order)) continue;
      const key = RestingOrders.keyOf(order);
      const lane = laneOf(order.purpose);
      if (this.lanes.get(key) !== 'protective') this.lanes.set(key, lane);
    }
  }

  /** The order as the open-orders list shows it; undefined when it is not there (or not resting). */
  async snapshotOf(order: OrderOrmEntity): Promise<ExchangeOrder | undefined> {
    if (!RestingOrders.rests(order)) return undefined;
    const key = RestingOrders.keyOf(order);
    let list = this.lists.get(key);
    if (!list) {
      list = this.fetch(order, this.lanes.get(key)!);
      this.lists.set(key, list);
    }
    return (await list)?.get(order.exchangeOrderId!);
  }

  private async fetch(order: OrderOrmEntity, lane: RequestLane): Promise<Map<string, ExchangeOrder> | undefined> {
    try {
      const gateway = await this.gateways.forAccount(order.accountId);
      const open = await gateway.fetchOpenOrders(order.symbol, { lane });
      return new Map(open.map((o) => [o.exchangeOrderId, o]));
    } catch {
      // The orders are then fetched one by one, which reports the exchange's state or its failure.
      return undefined;
    }
  }

  private static rests(order: OrderOrmEntity): boolean {
    return (order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED') && order.exchangeOrderId !== null;
  }

  private static keyOf(order: OrderOrmEntity): string {
    return `${order.accountId}\u0000${order.symbol}`;
  }
}
