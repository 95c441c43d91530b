import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { HealthRegistry, Outbox, RequestContext, SchedulerConfig, UnitOfWork } from '@tradedesk/shared';
import { In, IsNull, Not } from 'typeorm';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { OrderLedger } from './order-ledger.js';
import { fillsOf, lookUp, OrderSubmission } from './order-submission.js';

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
  private reconciliation: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly ledger: OrderLedger,
    private readonly submission: OrderSubmission,
    private readonly scheduler: SchedulerConfig,
    registry: HealthRegistry,
    indicator: HealthIndicatorService,
  ) {
    registry.register({
      name: 'orders',
      readiness: true,
      check: async () => {
        const session = indicator.check('orders');
        return this.reconciledAt
          ? session.up({ reconciledAt: this.reconciledAt.toISOString() })
          : session.down({ message: `start-up order reconciliation not finished${this.lastError ? `: ${this.lastError}` : ''}` });
      },
    });
  }

  onApplicationBootstrap(): void {
    this.reconciliation = this.reconcileAtStart();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Resolves once start-up reconciliation is done (the condition scheduler waits for it). */
  whenReconciled(): Promise<void> {
    return this.reconciliation ?? Promise.resolve();
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
      .start(Math.min(1000, this.scheduler.orderPollMs))
      .catch((error: unknown) => this.logger.error(`outbox start failed: ${error instanceof Error ? error.message : String(error)}`));
    this.timer = setInterval(() => void this.pollNow(), this.scheduler.orderPollMs);
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
   * Fetches every followed order from its exchange and applies it. At start-up, PENDING orders
   * whose submission had begun are treated as UNKNOWN and looked up by client order id.
   */
  private async reconcile(cause: string, atStart: boolean): Promise<number> {
    const repo = this.uow;
    const orders = await repo.run(({ manager }) =>
      manager.find(OrderOrmEntity, {
        where: [{ status: In([...FOLLOWED]) }, ...(atStart ? [{ status: 'PENDING' as const, submittedAt: Not(IsNull()) }] : [])],
        order: { createdAt: 'ASC' },
      }),
    );
    let failures = 0;
    for (const order of orders) {
      try {
        const gateway = await this.gateways.forAccount(order.accountId);
        const outcome = await lookUp(gateway, order);
        if (outcome.kind === 'found') {
          const trades = await fillsOf(gateway, order, outcome.snapshot);
          await this.ledger.applySnapshot(order.id, outcome.snapshot, cause, trades);
          if (outcome.snapshot.filled.gt(order.filled)) await this.gateways.invalidateBalances(order.accountId);
        } else if (order.status === 'PENDING') {
          // Not there (yet): let the bounded resolution decide, never resend.
          await this.uow.run(async (tx) => {
            const row = await this.ledger.lock(tx.manager, order.id);
            if (row?.status === 'PENDING') await this.submission.markInterrupted(tx, row, cause);
          });
        } else if (outcome.kind === 'unreachable') {
          failures++;
        }
      } catch (error) {
        failures++;
        this.logger.warn(`could not reconcile order ${order.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (atStart && failures > 0) throw new Error(`${failures} of ${orders.length} live orders could not be reached`);
    return orders.length;
  }
}
