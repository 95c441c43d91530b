import { Injectable } from '@nestjs/common';
import { ConditionsService } from '@tradedesk/conditions';
import type { OrderFacts } from '@tradedesk/orders';
import type { ExitOrigin } from '../application/order-drafts.js';

/**
 * The kind of the condition that placed an exit order, and a condition's downtime policy, read from
 * the conditions context's public service (it has no query for them yet). Unknown → undefined: the
 * message still goes, only without "Stop-loss".
 */
@Injectable()
export class ExitOrigins {
  constructor(private readonly conditions: ConditionsService) {}

  /** The condition named on the order (orders carry it from the condition's idempotency key). */
  async of(order: OrderFacts): Promise<ExitOrigin | undefined> {
    if (!order.conditionId) return undefined;
    try {
      const condition = await this.conditions.get(order.conditionId);
      return { conditionId: condition.id, kind: condition.kind };
    } catch {
      return undefined;
    }
  }

  async downtimePolicyOf(conditionId: string): Promise<string | undefined> {
    try {
      return (await this.conditions.get(conditionId)).onDowntime;
    } catch {
      return undefined;
    }
  }
}
