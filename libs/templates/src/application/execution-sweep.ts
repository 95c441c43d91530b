import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetOrderQuery, type OrderView } from '@tradedesk/orders';
import { ExecutionRepository } from '../infrastructure/persistence/execution.repository.js';
import { TemplatesConfig } from '../templates.config.js';
import { EntrySettlement, entryFactsOf } from './entry-settlement.js';

/**
 * The crash window of the saga: an entry's end is told in memory after the orders' commit, and the
 * process may die before the execution hears it. At start and every TEMPLATE_SWEEP_EVERY_MS (15 s), executions still
 * `pending` are compared with their entry order as the orders context has it, and executions left
 * `entry_filled` have their arming queued again (arming is idempotent per exit).
 */
@Injectable()
export class ExecutionSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TemplateExecutionSweep');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly executions: ExecutionRepository,
    private readonly settlement: EntrySettlement,
    private readonly queries: QueryBus,
    private readonly config: TemplatesConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.config.sweep.everyMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now = new Date()): Promise<void> {
    // The live path (the order's event) has had its chance by then.
    const before = new Date(now.getTime() - this.config.sweep.settleMs);
    for (const execution of await this.executions.pendingWithOrders(before)) {
      const order: OrderView = await this.queries.execute(new GetOrderQuery(execution.orderId!, { timeline: false }));
      await this.settlement.settle(execution, entryFactsOf(order));
    }
    for (const execution of await this.executions.entryFilledBefore(before)) await this.executions.requeueArming(execution.id);
  }
}
