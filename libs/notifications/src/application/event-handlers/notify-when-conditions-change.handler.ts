import { Injectable, Logger } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  ConditionCancelledEvent,
  ConditionExpiredEvent,
  ConditionFailedEvent,
  ConditionFiredEvent,
  ConditionMissedEvent,
  PositionUnprotectedEvent,
} from '@tradedesk/conditions';
import type { NotificationDraft } from '../../domain/notification-draft.js';
import { RecordNotificationCommand } from '../commands/record-notification/record-notification.command.js';

type ConditionEvent =
  | ConditionFiredEvent
  | ConditionFailedEvent
  | ConditionMissedEvent
  | ConditionCancelledEvent
  | ConditionExpiredEvent
  | PositionUnprotectedEvent;

/** Stops that fired, failed (the position is unprotected), were missed while down, expired, or ended because their position closed. */
@Injectable()
@EventsHandler(
  ConditionFiredEvent,
  ConditionFailedEvent,
  ConditionMissedEvent,
  ConditionCancelledEvent,
  ConditionExpiredEvent,
  PositionUnprotectedEvent,
)
export class NotifyWhenConditionsChangeHandler implements IEventHandler<ConditionEvent> {
  private readonly logger = new Logger('ConditionNotifications');

  constructor(private readonly commands: CommandBus) {}

  async handle(event: ConditionEvent): Promise<void> {
    try {
      const draft = this.draftOf(event);
      if (draft) await this.commands.execute(new RecordNotificationCommand(draft));
    } catch (error) {
      this.logger.error(`could not record a notification: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private draftOf(event: ConditionEvent): NotificationDraft | undefined {
    const at = event.occurredAt;
    if (event instanceof PositionUnprotectedEvent) {
      return {
        type: 'position.unprotected',
        subject: `position:${event.accountId} ${event.symbol}`,
        factKeys: [`position.unprotected:${event.accountId}:${event.symbol}:${event.since.getTime()}`],
        data: {
          accountId: event.accountId,
          symbol: event.symbol,
          conditions: event.conditions.map((c) => ({ ...c })),
          reason: event.reason,
          since: event.since.toISOString(),
          at: at.toISOString(),
        },
      };
    }
    const c = event.condition;
    const data: Record<string, unknown> = {
      conditionId: c.conditionId,
      kind: c.kind,
      accountId: c.accountId,
      symbol: c.symbol,
      status: c.status,
      at: at.toISOString(),
    };
    const subject = `condition:${c.conditionId}`;
    if (event instanceof ConditionFiredEvent)
      return { type: 'condition.fired', subject, factKeys: [`condition.fired:${c.conditionId}:${at.getTime()}`], data };
    if (event instanceof ConditionFailedEvent)
      return {
        type: 'condition.failed',
        subject,
        factKeys: [`condition.failed:${c.conditionId}`],
        data: { ...data, reason: event.reason },
      };
    if (event instanceof ConditionCancelledEvent)
      return {
        type: 'condition.cancelled',
        subject,
        factKeys: [`condition.cancelled:${c.conditionId}`],
        data: { ...data, reason: event.reason, closedBy: event.closedBy ?? null },
      };
    if (event instanceof ConditionExpiredEvent)
      return {
        type: 'condition.expired',
        subject,
        factKeys: [`condition.expired:${c.conditionId}`],
        data: { ...data, expiresAt: event.expiresAt.toISOString() },
      };
    // Missed while down: `notify` tells the user, `skip` only records it on the condition's timeline.
    const { policy } = event;
    if (policy !== 'notify') return undefined;
    return {
      type: 'condition.missed',
      subject,
      factKeys: [`condition.missed:${c.conditionId}:${at.getTime()}`],
      data: { ...data, policy },
    };
  }
}
