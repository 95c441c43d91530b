import { Module } from '@nestjs/common';
import { MarkNotificationsReadHandler } from './application/commands/mark-read.command.js';
import { RecordNotificationHandler } from './application/commands/record-notification/record-notification.handler.js';
import { UpdateNotificationRulesHandler } from './application/commands/update-rules.command.js';
import { DailySummary } from './application/daily-summary.js';
import { DeliverNotification } from './application/delivery/deliver-notification.js';
import { NotifyWhenBackupsFailHandler } from './application/event-handlers/notify-when-backups-fail.handler.js';
import { NotifyWhenConditionsChangeHandler } from './application/event-handlers/notify-when-conditions-change.handler.js';
import { NotifyWhenErrorsSpikeHandler } from './application/event-handlers/notify-when-errors-spike.handler.js';
import { NotifyWhenExchangeAvailabilityChangesHandler } from './application/event-handlers/notify-when-exchange-availability-changes.handler.js';
import { NotifyWhenOrdersChangeHandler } from './application/event-handlers/notify-when-orders-change.handler.js';
import { LifecycleNotifications } from './application/lifecycle-notifications.js';
import { NotificationRules } from './application/notification-rules.js';
import { NotificationStream } from './application/notification-stream.js';
import { NotificationSweep } from './application/notification-sweep.js';
import { GetNotificationRulesHandler } from './application/queries/get-rules.query.js';
import { ListDeliveriesHandler } from './application/queries/list-deliveries.query.js';
import { ListNotificationsHandler } from './application/queries/list-notifications.query.js';
import { SmtpMailer } from './infrastructure/email/smtp-mailer.js';
import { ExitOrigins } from './infrastructure/exit-origins.js';
import { NotificationsHealthContributor } from './infrastructure/notifications-health.contributor.js';
import { WebhookSender } from './infrastructure/webhook/webhook-sender.js';
import { NotificationsController } from './interface/http/notifications.controller.js';

const CommandHandlers = [RecordNotificationHandler, MarkNotificationsReadHandler, UpdateNotificationRulesHandler];
const QueryHandlers = [ListNotificationsHandler, ListDeliveriesHandler, GetNotificationRulesHandler];
const EventHandlers = [
  NotifyWhenOrdersChangeHandler,
  NotifyWhenConditionsChangeHandler,
  NotifyWhenExchangeAvailabilityChangesHandler,
  NotifyWhenErrorsSpikeHandler,
  NotifyWhenBackupsFailHandler,
];

/** Notifications: facts of the other contexts told once, on the web (list and live stream), by email and by webhook. */
@Module({
  controllers: [NotificationsController],
  providers: [
    NotificationRules,
    NotificationStream,
    SmtpMailer,
    WebhookSender,
    ExitOrigins,
    DeliverNotification,
    NotificationsHealthContributor,
    LifecycleNotifications,
    DailySummary,
    NotificationSweep,
    ...CommandHandlers,
    ...QueryHandlers,
    ...EventHandlers,
  ],
})
export class NotificationsModule {}
