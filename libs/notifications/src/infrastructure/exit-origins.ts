import { Injectable } from '@nestjs/common';
import { ConditionsService } from '@tradedesk/conditions';
import type { OrderFacts } from '@tradedesk/orders';
import type { ExitOrigin } from '../application/order-drafts.js';

/**
 * Which condition placed an exit order, and a condition's downtime policy, read from the conditions
 * context's public service (it has no query for them yet). Unknown → undefined: the message still
 * goes, only without "Stop-loss".
 */
/** Waits before each look for an exit's condition: about 1.5 s in all. */
const LOOKS_MS = [0, 50, 100, 200, 400, 750];

@Injectable()
export class ExitOrigins {
  constructor(private readonly conditions: ConditionsService) {}

  /**
   * An exit fills as soon as the exchange takes it, often before the condition that placed it has
   * committed its FIRED line with the order's id: a few short looks, then without the label.
   */
  async of(order: OrderFacts): Promise<ExitOrigin | undefined> {
    // Only conditions place protective orders; a liquidation is a request's, and has no condition to wait for.
    if (order.purpose !== 'protective') return undefined;
    for (const waitMs of LOOKS_MS) {
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      try {
        const { items } = await this.conditions.list({ accountId: order.accountId, symbol: order.symbol, limit: 200, offset: 0 });
        const condition = items.find((c) => c.orderIds.includes(order.orderId));
        if (condition) return { conditionId: condition.id, kind: condition.kind };
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  async downtimePolicyOf(conditionId: string): Promise<string | undefined> {
    try {
      return (await this.conditions.get(conditionId)).onDowntime;
    } catch {
      return undefined;
    }
  }
}
