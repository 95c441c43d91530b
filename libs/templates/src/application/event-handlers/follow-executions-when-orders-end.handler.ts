import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { OrderCanceledEvent, OrderFilledEvent, OrderRejectedEvent } from '@tradedesk/orders';
import { dec } from '@tradedesk/shared';
import { ExecutionRepository } from '../../infrastructure/persistence/execution.repository.js';
import { EntrySettlement } from '../entry-settlement.js';
import { isEntryKey } from '../entry-key.js';

type OrderEnded = OrderFilledEvent | OrderCanceledEvent | OrderRejectedEvent;

/**
 * The saga's ears: an order that ended is either a template's entry (its exits get armed from the
 * fill) or an exit a template armed (what it sold is counted and the other exits follow). The
 * events are told in memory after the orders' commit; the sweep catches what a crash dropped.
 */
@EventsHandler(OrderFilledEvent, OrderCanceledEvent, OrderRejectedEvent)
export class FollowExecutionsWhenOrdersEndHandler implements IEventHandler<OrderEnded> {
  private readonly logger = new Logger('TemplateExecutions');

  constructor(
    private readonly executions: ExecutionRepository,
    private readonly settlement: EntrySettlement,
  ) {}

  async handle({ order }: OrderEnded): Promise<void> {
    try {
      if (order.conditionId) {
        const filled = dec(order.filled);
        if (filled.gt(0) && (await this.executions.exitOf(order.conditionId)))
          await this.executions.exitSold(order.conditionId, order.orderId, filled);
        return;
      }
      // Only a template's entry carries its execution's key: other orders cost no lookup.
      if (!isEntryKey(order.idempotencyKey)) return;
      const execution = await this.executions.byOrder(order.orderId);
      if (execution) await this.settlement.settle(execution, order);
    } catch (error) {
      this.logger.error(`order ${order.orderId}: ${error instanceof Error ? error.message : String(error)} (the sweep retries)`);
    }
  }
}
