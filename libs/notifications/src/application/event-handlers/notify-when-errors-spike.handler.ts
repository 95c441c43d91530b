import { Logger } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ErrorSpikeDetectedEvent, ErrorSpikeResolvedEvent } from '@tradedesk/monitoring';
import type { NotificationDraft } from '../../domain/notification-draft.js';
import { RecordNotificationCommand } from '../commands/record-notification/record-notification.command.js';

const SUBJECT = 'errors:spike';

/**
 * One `errors.spike` when the monitoring context sees the error rate cross its threshold, one
 * `errors.resolved` (same `since`) when it subsides. The monitor already tells each once; the fact
 * keys keep a retried publish from telling it twice.
 */
@EventsHandler(ErrorSpikeDetectedEvent, ErrorSpikeResolvedEvent)
export class NotifyWhenErrorsSpikeHandler implements IEventHandler<ErrorSpikeDetectedEvent | ErrorSpikeResolvedEvent> {
  // Its own context: a failure to record is logged, and the error monitor may count it, but never loops on it.
  private readonly logger = new Logger('ErrorSpikeNotifications');

  constructor(private readonly commands: CommandBus) {}

  async handle(event: ErrorSpikeDetectedEvent | ErrorSpikeResolvedEvent): Promise<void> {
    try {
      await this.commands.execute(new RecordNotificationCommand(draftOf(event)));
    } catch (error) {
      this.logger.warn(`could not record an error-spike notification: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function draftOf(event: ErrorSpikeDetectedEvent | ErrorSpikeResolvedEvent): NotificationDraft {
  const since = event.since.toISOString();
  if (event instanceof ErrorSpikeDetectedEvent) {
    const top = event.culprits[0];
    return {
      type: 'errors.spike',
      subject: SUBJECT,
      factKeys: [`errors.spike:${event.since.getTime()}`],
      ignoreCooldown: true,
      data: {
        errors: event.errors,
        threshold: event.threshold,
        windowSeconds: event.windowSeconds,
        since,
        topError: top ? `${top.context ? `[${top.context}] ` : ''}${top.pattern} (${top.count})` : null,
        culprits: event.culprits.map((c) => ({ ...c })),
      },
    };
  }
  return {
    type: 'errors.resolved',
    subject: SUBJECT,
    factKeys: [`errors.resolved:${event.since.getTime()}`],
    ignoreCooldown: true,
    data: { since, at: event.at.toISOString(), peak: event.peak },
  };
}
