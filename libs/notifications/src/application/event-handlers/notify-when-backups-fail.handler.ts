import { Injectable, Logger } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { BackupFailedEvent } from '@tradedesk/backup';
import { RecordNotificationCommand } from '../commands/record-notification/record-notification.command.js';

/** A backup that could not be taken or did not survive its restore test: critical, the user must hear of it. */
@Injectable()
@EventsHandler(BackupFailedEvent)
export class NotifyWhenBackupsFailHandler implements IEventHandler<BackupFailedEvent> {
  private readonly logger = new Logger('BackupNotifications');

  constructor(private readonly commands: CommandBus) {}

  async handle(event: BackupFailedEvent): Promise<void> {
    const { backup } = event;
    try {
      await this.commands.execute(
        new RecordNotificationCommand({
          type: 'backup.failed',
          subject: `backup:${backup.backupId}`,
          // A verification run again later and failing again is a new fact.
          factKeys: [`backup.failed:${backup.backupId}:${event.stage}:${event.occurredAt.getTime()}`],
          data: {
            backupId: backup.backupId,
            driver: backup.driver,
            trigger: backup.trigger,
            stage: event.stage,
            reason: event.reason,
            startedAt: backup.startedAt.toISOString(),
            at: event.occurredAt.toISOString(),
          },
        }),
      );
    } catch (error) {
      this.logger.error(`could not record a backup notification: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
