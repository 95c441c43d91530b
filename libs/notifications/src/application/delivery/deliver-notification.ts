import { randomInt } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { MetricsPort, Outbox, RetryLater, UnitOfWork } from '@tradedesk/shared';
import { type NotificationType } from '../../domain/notification-types.js';
import { SmtpMailer } from '../../infrastructure/email/smtp-mailer.js';
import { NotificationDeliveryOrmEntity } from '../../infrastructure/persistence/notification-delivery.orm-entity.js';
import { NotificationOrmEntity } from '../../infrastructure/persistence/notification.orm-entity.js';
import { WebhookSender } from '../../infrastructure/webhook/webhook-sender.js';
import { NotificationsConfig } from '../../notifications.config.js';
import { renderNotification } from '../rendering/render-notification.js';
import { deliveryTopic } from './delivery-topic.js';

/**
 * Sends at a time per channel in this process. The outbox's handler slots are shared with order
 * submissions: a blackholed SMTP server may hold these two, never the slots an order waits for.
 */
const IN_FLIGHT_PER_CHANNEL = 2;
const MAX_BACKOFF_MS = 10 * 60_000;

/** Exponential backoff with full jitter around it (0.5×–1.5×), so many failed deliveries do not retry in step. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const exact = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exact * (0.5 + random()));
}

type PushChannel = 'email' | 'webhook';

interface ChannelState {
  inFlight: number;
  /** Failed sends in a row on this channel (any recipient). */
  failures: number;
  /** No send is tried before this: the channel failed and waits as a whole. */
  pausedUntil: number;
}

/**
 * The outbox consumer of one delivery: sends it, and keeps its own count of tries so that a dead
 * delivery is visible as such (GET /api/notifications/deliveries) after NOTIFY_DELIVERY_ATTEMPTS.
 * Idempotent: a delivery already sent or dead is done. A failed send pauses its whole channel with
 * the same backoff and holds back the channel's queued messages in one statement, so a down SMTP
 * server costs a handful of writes, not one per queued message per second on the database that
 * orders use.
 */
@Injectable()
export class DeliverNotification implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('NotificationDelivery');
  private readonly channels: Record<PushChannel, ChannelState> = {
    email: { inFlight: 0, failures: 0, pausedUntil: 0 },
    webhook: { inFlight: 0, failures: 0, pausedUntil: 0 },
  };
  private stopping = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly config: NotificationsConfig,
    private readonly mailer: SmtpMailer,
    private readonly webhooks: WebhookSender,
    @Optional() private readonly metrics?: MetricsPort,
  ) {}

  onModuleInit(): void {
    for (const channel of ['email', 'webhook'] as const)
      this.outbox.register(deliveryTopic(channel), (message) => this.deliver(String(message.payload.deliveryId)));
  }

  /** Sends cut short by the stop are not tries: they go again after the next start. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async deliver(deliveryId: string): Promise<void> {
    const delivery = await this.uow.autocommit((m) => m.findOneBy(NotificationDeliveryOrmEntity, { id: deliveryId }));
    if (!delivery || delivery.status !== 'pending') return;
    const notification = await this.uow.autocommit((m) => m.findOneBy(NotificationOrmEntity, { id: delivery.notificationId }));
    if (!notification) return;
    const channel = this.channels[delivery.channel];
    const now = Date.now();
    if (this.stopping) throw new RetryLater('stopping', 1000);
    if (channel.pausedUntil > now) throw new RetryLater(`${delivery.channel} paused after failures`, channel.pausedUntil - now + jitter());
    // The sends in flight end within the send timeout: the next try comes after that, not in a loop.
    if (channel.inFlight >= IN_FLIGHT_PER_CHANNEL)
      throw new RetryLater(`${delivery.channel} busy`, this.config.delivery.timeoutMs / 2 + jitter());
    // No await between the check above and this: handlers side by side must not all pass it.
    channel.inFlight += 1;
    const attempt = delivery.attempts + 1;
    try {
      await this.send(delivery, notification);
    } catch (error) {
      if (this.stopping) throw new RetryLater('stopping', 1000);
      await this.failed(delivery, notification, attempt, error);
      return;
    } finally {
      channel.inFlight -= 1;
    }
    channel.failures = 0;
    channel.pausedUntil = 0;
    this.metrics?.notificationDelivery(delivery.channel, 'sent');
    await this.uow.autocommit((m) =>
      m.update(
        NotificationDeliveryOrmEntity,
        { id: delivery.id },
        { status: 'sent', attempts: attempt, sentAt: new Date(), nextAttemptAt: null, lastError: null, updatedAt: new Date() },
      ),
    );
  }

  private async failed(
    delivery: NotificationDeliveryOrmEntity,
    notification: NotificationOrmEntity,
    attempt: number,
    error: unknown,
  ): Promise<void> {
    const reason = this.scrub(error instanceof Error ? error.message : String(error));
    const dead = attempt >= this.config.delivery.attempts;
    const delayMs = backoffMs(attempt, this.config.delivery.retryBaseMs);
    const channel = this.channels[delivery.channel];
    channel.failures += 1;
    channel.pausedUntil = Math.max(channel.pausedUntil, Date.now() + backoffMs(channel.failures, this.config.delivery.retryBaseMs));
    await this.outbox.postpone(deliveryTopic(delivery.channel), new Date(channel.pausedUntil)).catch(() => 0);
    await this.uow.autocommit((m) =>
      m.update(
        NotificationDeliveryOrmEntity,
        { id: delivery.id, status: 'pending' },
        {
          status: dead ? 'dead' : 'pending',
          attempts: attempt,
          lastError: reason.slice(0, 1000),
          nextAttemptAt: dead ? null : new Date(Math.max(Date.now() + delayMs, channel.pausedUntil)),
          updatedAt: new Date(),
        },
      ),
    );
    this.metrics?.notificationDelivery(delivery.channel, dead ? 'dead' : 'failed');
    if (dead) {
      this.logger.error(
        `notification ${notification.id} to ${delivery.recipient} (${delivery.channel}) is dead after ${attempt} tries: ${reason}`,
      );
      return;
    }
    this.logger.warn(
      `notification ${notification.id} to ${delivery.recipient} (${delivery.channel}) try ${attempt} failed, next in ${delayMs} ms: ${reason}`,
    );
    // Our own count of tries decides `dead`; the outbox only waits.
    throw new RetryLater(reason, Math.max(delayMs, channel.pausedUntil - Date.now()));
  }

  private async send(delivery: NotificationDeliveryOrmEntity, notification: NotificationOrmEntity): Promise<void> {
    const rendered = renderNotification(notification.type as NotificationType, notification.data, this.config.locale, this.config.timeZone);
    if (delivery.channel === 'email') {
      await this.mailer.send({
        to: delivery.target,
        subject: `[tradedesk] ${rendered.title}`,
        text: rendered.text,
        html: rendered.html,
        messageId: `<${delivery.id}@tradedesk>`,
      });
      return;
    }
    await this.webhooks.send(delivery.target, {
      id: notification.id,
      type: notification.type,
      severity: notification.severity,
      title: rendered.title,
      text: rendered.text,
      createdAt: notification.createdAt.toISOString(),
      data: notification.data,
      silent: delivery.silent,
    });
  }

  /** An error message may quote what it failed on: never the SMTP password, a webhook URL or its secret. */
  private scrub(message: string): string {
    let out = message.replace(/\b(smtps?|https?):\/\/[^\s"']+/gi, (m) => `${m.split('://')[0]}://…`);
    for (const secret of [this.config.webhook?.secret, smtpPassword(this.config.smtp?.url())])
      if (secret) out = out.split(secret).join('***');
    return out;
  }
}

/** Up to a second more, so deliveries held back together do not all come back in the same instant. */
function jitter(): number {
  return randomInt(0, 1001);
}

function smtpPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
