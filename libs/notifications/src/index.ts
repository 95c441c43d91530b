// Notifications context: the other contexts' facts told once, never lost — web list and live stream, email, webhook — under the user's rules.
export { NotificationsConfig, type NotifyLocale, type WebhookPreset, WEBHOOK_PRESETS } from './notifications.config.js';
export {
  NOTIFICATION_TYPES,
  NOTIFICATION_TYPE_NAMES,
  type NotificationType,
  type Channel,
  type ChannelMode,
} from './domain/notification-types.js';
export { ListNotificationsQuery, type NotificationPage } from './application/queries/list-notifications.query.js';
export type { NotificationView } from './application/queries/notification-view.js';
export * from './notifications.module.js';

import { NotificationDeliveryOrmEntity } from './infrastructure/persistence/notification-delivery.orm-entity.js';
import { NotificationFactOrmEntity } from './infrastructure/persistence/notification-fact.orm-entity.js';
import { NotificationRuleOrmEntity } from './infrastructure/persistence/notification-rule.orm-entity.js';
import { NotificationOrmEntity } from './infrastructure/persistence/notification.orm-entity.js';

/** Tables owned by the notifications context (for the persistence schema). */
export const notificationsEntities = [
  NotificationOrmEntity,
  NotificationFactOrmEntity,
  NotificationDeliveryOrmEntity,
  NotificationRuleOrmEntity,
];
