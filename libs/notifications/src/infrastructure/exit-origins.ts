import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetConditionQuery, type ConditionView } from '@tradedesk/conditions';
import type { OrderFacts } from '@tradedesk/orders';
import type { ExitOrigin } from '../application/order-drafts.js';

/**
 * The kind of the condition that placed an exit order, asked of the conditions context
 * (GetConditionQuery). Unknown → undefined: the message still goes, only
 * without "Stop-loss".
 */
@Injectable()
export class ExitOrigins {
  constructor(private readonly queries: QueryBus) {}

  /** The condition named on the order (orders carry it from the condition's idempotency key). */
  async of(order: OrderFacts): Promise<ExitOrigin | undefined> {
    if (!order.conditionId) return undefined;
    try {
      const condition = await this.condition(order.conditionId);
      return { conditionId: condition.id, kind: condition.kind };
    } catch {
      return undefined;
    }
  }

  private condition(conditionId: string): Promise<ConditionView> {
    return this.queries.execute<GetConditionQuery, ConditionView>(new GetConditionQuery(conditionId));
  }
}
