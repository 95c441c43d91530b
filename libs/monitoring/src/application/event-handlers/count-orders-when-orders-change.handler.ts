import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  OrderAcceptedEvent,
  OrderCanceledEvent,
  type OrderFacts,
  OrderFilledEvent,
  OrderOutcomeUnknownEvent,
  OrderPartiallyFilledEvent,
  OrderPlacedEvent,
  OrderRejectedEvent,
} from '@tradedesk/orders';
import { MonitoringConfig } from '../../monitoring.config.js';
import { StopLatency } from '../metrics/stop-latency.js';
import { TradingMetrics } from '../metrics/trading-metrics.js';

type OrderEvent =
  | OrderPlacedEvent
  | OrderAcceptedEvent
  | OrderPartiallyFilledEvent
  | OrderFilledEvent
  | OrderCanceledEvent
  | OrderRejectedEvent
  | OrderOutcomeUnknownEvent;

/** What each order event counts as in tradedesk_orders_total (a partial fill is a fill, not an order state). */
function resultOf(event: OrderEvent): string | undefined {
  if (event instanceof OrderPlacedEvent) return 'placed';
  if (event instanceof OrderAcceptedEvent) return 'accepted';
  if (event instanceof OrderFilledEvent) return 'filled';
  if (event instanceof OrderCanceledEvent) return 'canceled';
  if (event instanceof OrderRejectedEvent) return 'rejected';
  if (event instanceof OrderOutcomeUnknownEvent) return event.needsAttention ? 'needs_attention' : 'unknown';
  return undefined;
}

/** The first answer of the exchange that says it has the order. */
function isAcknowledgement(event: OrderEvent): boolean {
  return event instanceof OrderAcceptedEvent || event instanceof OrderPartiallyFilledEvent || event instanceof OrderFilledEvent;
}

/**
 * Orders by exchange, side, type, purpose and the state they reached, from the orders context's
 * events; and the end of a trigger-to-acknowledgement measure when the order is a condition's.
 */
@EventsHandler(
  OrderPlacedEvent,
  OrderAcceptedEvent,
  OrderPartiallyFilledEvent,
  OrderFilledEvent,
  OrderCanceledEvent,
  OrderRejectedEvent,
  OrderOutcomeUnknownEvent,
)
export class CountOrdersWhenOrdersChangeHandler implements IEventHandler<OrderEvent> {
  constructor(
    private readonly metrics: TradingMetrics,
    private readonly latency: StopLatency,
    private readonly config: MonitoringConfig,
  ) {}

  handle(event: OrderEvent): void {
    if (!this.config.metricsEnabled) return;
    const order: OrderFacts = event.order;
    const result = resultOf(event);
    if (result) this.metrics.order({ exchange: order.exchange, side: order.side, type: order.type, purpose: order.purpose, result });
    if (order.conditionId && isAcknowledgement(event)) {
      const measured = this.latency.acknowledged(order.conditionId, event.occurredAt);
      if (measured) this.metrics.stopAcknowledged(order.exchange, measured.kind, measured.seconds);
    }
  }
}
