import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '@tradedesk/shared';
import type { FindOptionsWhere } from 'typeorm';
import { type DeliveryStatus, NotificationDeliveryOrmEntity } from '../../infrastructure/persistence/notification-delivery.orm-entity.js';

export class ListDeliveriesQuery {
  constructor(
    readonly filter: { status?: DeliveryStatus; channel?: 'email' | 'webhook'; notificationId?: number; limit: number; offset: number },
  ) {}
}

/** A delivery as answers show it: the recipient's display form, never a webhook URL or secret. */
export interface DeliveryView {
  id: string;
  notificationId: number;
  channel: string;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

@QueryHandler(ListDeliveriesQuery)
export class ListDeliveriesHandler implements IQueryHandler<
  ListDeliveriesQuery,
  { items: DeliveryView[]; total: number; limit: number; offset: number }
> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ filter }: ListDeliveriesQuery) {
    const where: FindOptionsWhere<NotificationDeliveryOrmEntity> = {};
    if (filter.status) where.status = filter.status;
    if (filter.channel) where.channel = filter.channel;
    if (filter.notificationId !== undefined) where.notificationId = filter.notificationId;
    const [rows, total] = await this.uow.autocommit((m) =>
      m.findAndCount(NotificationDeliveryOrmEntity, {
        where,
        order: { createdAt: 'DESC', id: 'ASC' },
        take: filter.limit,
        skip: filter.offset,
      }),
    );
    const items = rows.map((d): DeliveryView => ({
      id: d.id,
      notificationId: d.notificationId,
      channel: d.channel,
      recipient: d.recipient,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
      createdAt: d.createdAt.toISOString(),
      sentAt: d.sentAt?.toISOString() ?? null,
    }));
    return { items, total, limit: filter.limit, offset: filter.offset };
  }
}
