import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { NotificationDraft } from '../domain/notification-draft.js';
import { RecordNotificationCommand } from './commands/record-notification/record-notification.command.js';

/** "tradedesk started" and "tradedesk stopping" (silent on the web by default); deliveries of the latter go out after the next start. */
@Injectable()
export class LifecycleNotifications implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LifecycleNotifications');
  private readonly runId = randomUUID();

  constructor(private readonly commands: CommandBus) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tell({
      type: 'system.started',
      subject: 'system',
      factKeys: [`system.started:${this.runId}`],
      data: { at: new Date().toISOString() },
    });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await this.tell({
      type: 'system.stopping',
      subject: 'system',
      factKeys: [`system.stopping:${this.runId}`],
      data: { at: new Date().toISOString(), signal: signal ?? null },
    });
  }

  private async tell(draft: NotificationDraft): Promise<void> {
    try {
      await this.commands.execute(new RecordNotificationCommand(draft));
    } catch (error) {
      this.logger.warn(`could not record ${draft.type}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
