import type { IEvent } from '@nestjs/cqrs';

/** A fact that happened in a context; published on the EventBus only after its transaction commits. */
export abstract class DomainEvent implements IEvent {
  readonly occurredAt: Date = new Date();
}
