import { DomainEvent } from '@tradedesk/shared';
import type { ConditionKind, ConditionStatus, DowntimePolicy } from './condition.types.js';

export interface ConditionFacts {
  conditionId: string;
  kind: ConditionKind;
  accountId: string;
  symbol: string | null;
  status: ConditionStatus;
}

abstract class ConditionEvent extends DomainEvent {
  constructor(readonly condition: ConditionFacts) {
    super();
  }
}

/** A trigger was crossed and the order intent is queued (status FIRING). */
export class ConditionTriggeredEvent extends ConditionEvent {
  constructor(
    condition: ConditionFacts,
    /**
     * When the price that crossed the trigger was read (the tick's read; for a conditional, its
     * evaluation): where the trigger-to-exchange-acknowledgement latency is measured from.
     */
    readonly observedAt: Date = new Date(),
  ) {
    super(condition);
  }
}
/** The order was accepted by the orders context (status FIRED). */
export class ConditionFiredEvent extends ConditionEvent {}
/** A protective condition that ends FAILED leaves its position unprotected: alerts listen to this. */
export class ConditionFailedEvent extends ConditionEvent {
  constructor(
    condition: ConditionFacts,
    readonly reason: string,
  ) {
    super(condition);
  }
}
/**
 * It ended CANCELLED without the user asking: an exit that fired when its position had nothing left
 * (another exit or a sell sold it) — `reason` "position closed", `closedBy` the order that did.
 */
export class ConditionCancelledEvent extends ConditionEvent {
  constructor(
    condition: ConditionFacts,
    readonly reason: string,
    readonly closedBy?: { orderId: string; conditionId?: string },
  ) {
    super(condition);
  }
}
/** Its trigger was crossed while the server was down and its policy said skip/notify (`notify`: tell the user). */
export class ConditionMissedEvent extends ConditionEvent {
  constructor(
    condition: ConditionFacts,
    readonly policy: DowntimePolicy,
  ) {
    super(condition);
  }
}
/** It reached its `expiresAt` while ARMED (or a recurring rule, after its order filled): it will never act again. */
export class ConditionExpiredEvent extends ConditionEvent {
  constructor(
    condition: ConditionFacts,
    readonly expiresAt: Date,
  ) {
    super(condition);
  }
}

/**
 * The price of a market that protective conditions watch could not be read for several ticks in a
 * row (delisted, an exchange fault): their positions are not protected until it can be read again.
 */
export class PositionUnprotectedEvent extends DomainEvent {
  constructor(
    /** The account and market whose price is missing (the watched one). */
    readonly accountId: string,
    readonly symbol: string,
    /** The protective conditions watching it, with the positions they protect. */
    readonly conditions: ReadonlyArray<{ conditionId: string; accountId: string; symbol: string | null }>,
    readonly reason: string,
    readonly since: Date,
  ) {
    super();
  }
}
