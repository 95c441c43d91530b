import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '@tradedesk/shared';
import { type FindOptionsWhere, In, IsNull, Not } from 'typeorm';
import { NotificationOrmEntity } from '../../infrastructure/persistence/notification.orm-entity.js';
import { toNotificationView, type NotificationView } from './notification-view.js';

export class ListNotificationsQuery {
  constructor(readonly filter: { unread?: boolean; types?: string[]; limit: number; offset: number }) {}
}

export interface NotificationPage {
  items: NotificationView[];
  total: number;
  unread: number;
  limit: number;
  offset: number;
}

/** The web channel's list, newest first; notifications whose rule has web `off` are not in it. */
@QueryHandler(ListNotificationsQuery)
export class ListNotificationsHandler implements IQueryHandler<ListNotificationsQuery, NotificationPage> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ filter }: ListNotificationsQuery): Promise<NotificationPage> {
    const where: FindOptionsWhere<NotificationOrmEntity> = { webMode: Not('off') };
    if (filter.unread) where.readAt = IsNull();
    if (filter.types?.length) where.type = In(filter.types);
    return this.uow.autocommit(async (m) => {
      const [rows, total] = await m.findAndCount(NotificationOrmEntity, {
        where,
        order: { id: 'DESC' },
        take: filter.limit,
        skip: filter.offset,
      });
      const unread = await m.count(NotificationOrmEntity, { where: { webMode: Not('off'), readAt: IsNull() } });
      return { items: rows.map(toNotificationView), total, unread, limit: filter.limit, offset: filter.offset };
    });
  }
}
