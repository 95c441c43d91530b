import { Injectable, Logger } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  OrderCanceledEvent,
  OrderFilledEvent,
  OrderOutcomeUnknownEvent,
  OrderPartiallyFilledEvent,
  OrderRejectedEvent,
  PositionClosedEvent,
  type RoundTripFacts,
} from '@tradedesk/orders';
import { ExitOrigins } from '../../infrastructure/exit-origins.js';
import { RecordNotificationCommand } from '../commands/record-notification/record-notification.command.js';
import { closingFactOf, type OrderFact, orderDraft, tradeCompletedDraft } from '../order-drafts.js';

type OrderEvent = OrderFilledEvent | OrderPartiallyFilledEvent | OrderCanceledEvent | OrderRejectedEvent | OrderOutcomeUnknownEvent;

function factOf(event: OrderEvent): OrderFact | undefined {
  if (event instanceof OrderFilledEvent) return { kind: 'filled', order: event.order };
  if (event instanceof OrderPartiallyFilledEvent) return { kind: 'partially_filled', order: event.order };
  if (event instanceof OrderCanceledEvent) return { kind: 'canceled', order: event.order, ...(event.cause ? { cause: event.cause } : {}) };
  if (event instanceof OrderRejectedEvent) return { kind: 'rejected', order: event.order, reason: event.reason };
  // Still being looked up: only an order whose lookups are exhausted needs the user.
  return event.needsAttention ? { kind: 'unknown', order: event.order } : undefined;
}

/**
 * Order events and position closes of one commit arrive together (the event bus delivers a
 * commit's events in one synchronous pass): they are gathered and told after that pass, so a
 * fill that closed a position becomes one "trade completed" instead of a fill and a trade.
 */
@Injectable()
@EventsHandler(
  OrderFilledEvent,
  OrderPartiallyFilledEvent,
  OrderCanceledEvent,
  OrderRejectedEvent,
  OrderOutcomeUnknownEvent,
  PositionClosedEvent,
)
export class NotifyWhenOrdersChangeHandler implements IEventHandler<OrderEvent | PositionClosedEvent> {
  private readonly logger = new Logger('OrderNotifications');
  private facts: OrderFact[] = [];
  private trips: RoundTripFacts[] = [];
  private scheduled = false;

  constructor(
    private readonly commands: CommandBus,
    private readonly origins: ExitOrigins,
  ) {}

  handle(event: OrderEvent | PositionClosedEvent): void {
    if (event instanceof PositionClosedEvent) this.trips.push(event.roundTrip);
    else {
      const fact = factOf(event);
      if (fact) this.facts.push(fact);
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const [facts, trips] = [this.facts, this.trips];
    [this.facts, this.trips, this.scheduled] = [[], [], false];
    const covered = new Set<OrderFact>();
    const at = new Date();
    const jobs: Array<Promise<unknown>> = [];
    for (const trip of trips) {
      const closing = closingFactOf(trip, facts);
      if (closing) covered.add(closing);
      jobs.push(
        this.tell(async () => tradeCompletedDraft(trip, closing, trip.closingOrder ? await this.origins.of(trip.closingOrder) : undefined)),
      );
    }
    for (const fact of facts) {
      if (covered.has(fact)) continue;
      jobs.push(this.tell(async () => orderDraft(fact, at, await this.origins.of(fact.order))));
    }
    await Promise.all(jobs);
  }

  private async tell(build: () => Promise<ReturnType<typeof orderDraft>>): Promise<void> {
    try {
      const draft = await build();
      if (draft) await this.commands.execute(new RecordNotificationCommand(draft));
    } catch (error) {
      // The sweep tells it later: a fact without its notification is found and told once.
      this.logger.error(`could not record a notification: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
