import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { OrderCanceledEvent, OrderFilledEvent, OrderRejectedEvent } from '@tradedesk/orders';
import { NativeBracketLifecycle } from '../native-bracket-lifecycle.js';

/** A leg of a native bracket's order list ended: the bracket settles (DONE, or FAILED when nothing executed). */
@EventsHandler(OrderFilledEvent, OrderRejectedEvent, OrderCanceledEvent)
export class SettleNativeBracketWhenLegEndsHandler implements IEventHandler<OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent> {
  private readonly logger = new Logger(SettleNativeBracketWhenLegEndsHandler.name);

  constructor(private readonly brackets: NativeBracketLifecycle) {}

  handle(event: OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent): void {
    // Only a leg of an order list can belong to a native bracket: other orders cost no lookup.
    if (event.order.purpose !== 'protective' || !event.order.listClientOrderId) return;
    void this.brackets
      .settle(event.order.orderId, event.order.status, event.order.filled)
      .catch((error: unknown) => this.logger.warn(`settling a native bracket failed: ${String(error)}`));
  }
}
