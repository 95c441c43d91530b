import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { NotFoundError, UnitOfWork } from '@tradedesk/shared';
import { IsNull, Not } from 'typeorm';
import { NotificationOrmEntity } from '../../infrastructure/persistence/notification.orm-entity.js';
import { toNotificationView, type NotificationView } from '../queries/notification-view.js';

/** Marks one notification read (already read: unchanged); `all` marks every unread one. */
export class MarkNotificationsReadCommand {
  constructor(readonly which: { id: number } | { all: true }) {}
}

@CommandHandler(MarkNotificationsReadCommand)
export class MarkNotificationsReadHandler implements ICommandHandler<MarkNotificationsReadCommand, NotificationView | { marked: number }> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ which }: MarkNotificationsReadCommand): Promise<NotificationView | { marked: number }> {
    const now = new Date();
    if ('all' in which) {
      const result = await this.uow.autocommit((m) =>
        m.update(NotificationOrmEntity, { readAt: IsNull(), webMode: Not('off') }, { readAt: now }),
      );
      return { marked: result.affected ?? 0 };
    }
    return this.uow.run(async ({ manager }) => {
      const row = await manager.findOneBy(NotificationOrmEntity, { id: which.id, webMode: Not('off') });
      if (!row) throw new NotFoundError('NOTIFICATION.NOT_FOUND', `No notification ${which.id}`, { notificationId: which.id });
      if (!row.readAt) {
        row.readAt = now;
        await manager.update(NotificationOrmEntity, { id: row.id }, { readAt: now });
      }
      return toNotificationView(row);
    });
  }
}
