import type { DomainEvent } from './domain-event.js';

/**
 * An aggregate records the events of its own state changes; the unit of work pulls them when it
 * saves the aggregate and publishes them after commit.
 */
export abstract class AggregateRoot {
  private pendingEvents: DomainEvent[] = [];

  protected record(event: DomainEvent): void {
    this.pendingEvents.push(event);
  }

  pullEvents(): DomainEvent[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }
}
