import { Injectable } from '@nestjs/common';
import { ConditionsService } from '@tradedesk/conditions';
import type { OrderFacts } from '@tradedesk/orders';
import type { ExitOrigin } from '../application/order-drafts.js';

/**
 * Which condition placed an exit order, and a condition's downtime policy, read from the conditions
 * context's public service (it has no query for them yet). Unknown → undefined: the message still
 * goes, only without "Stop-loss".
 */
@Injectable()
export class ExitOrigins {
  constructor(private readonly conditions: ConditionsService) {}

  async of(order: OrderFacts): Promise<ExitOrigin | undefined> {
    try {
      const { items } = await this.conditions.list({ accountId: order.accountId, symbol: order.symbol, limit: 200, offset: 0 });
      const condition = items.find((c) => c.orderIds.includes(order.orderId));
      return condition ? { conditionId: condition.id, kind: condition.kind } : undefined;
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
