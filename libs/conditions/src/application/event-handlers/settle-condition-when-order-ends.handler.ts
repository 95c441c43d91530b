import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { OrderCanceledEvent, OrderFilledEvent, OrderRejectedEvent } from '@tradedesk/orders';
import { ConditionSettlement } from '../condition-settlement.js';

/** An order ended: the condition that placed it moves on (batched, see ConditionSettlement). */
@EventsHandler(OrderFilledEvent, OrderRejectedEvent, OrderCanceledEvent)
export class SettleConditionWhenOrderEndsHandler implements IEventHandler<OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent> {
  constructor(private readonly settlement: ConditionSettlement) {}

  handle(event: OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent): void {
    const reason = event instanceof OrderRejectedEvent ? event.reason : undefined;
    const cancelledBy = event instanceof OrderCanceledEvent ? event.cause : undefined;
    this.settlement.settleLater({
      orderId: event.order.orderId,
      status: event.order.status,
      filled: event.order.filled,
      ...(reason ? { reason } : {}),
      ...(cancelledBy ? { cancelledBy } : {}),
    });
  }
}
