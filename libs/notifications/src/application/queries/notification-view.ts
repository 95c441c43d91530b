import type { NotificationOrmEntity } from '../../infrastructure/persistence/notification.orm-entity.js';

/** A notification as api.md names it: `{ id, type, severity, title, body, createdAt, readAt, data }`. */
export interface NotificationView {
  id: number;
  type: string;
  severity: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
  data: Record<string, unknown>;
}

export function toNotificationView(row: NotificationOrmEntity): NotificationView {
  return {
    id: row.id,
    type: row.type,
    severity: row.severity,
    title: row.title,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
    data: row.data,
  };
}
