import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type DeliveryStatus = 'pending' | 'sent' | 'dead';

/** One notification to one recipient on one push channel (email, webhook), sent through the outbox. */
@Entity('notification_deliveries')
@Index('ux_notification_deliveries_key', ['uniqueKey'], { unique: true })
@Index('ix_notification_deliveries_notification', ['notificationId'])
@Index('ix_notification_deliveries_status', ['status', 'createdAt'])
export class NotificationDeliveryOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'integer' })
  notificationId: number;

  @Column({ type: 'varchar', length: 10 })
  channel: 'email' | 'webhook';

  /** `<notification>:<channel>:<recipient>`: the same notification never goes twice to one recipient. */
  @Column({ type: 'varchar', length: 400 })
  uniqueKey: string;

  /** What may be shown: the email address, or the webhook's preset and host (its path may be a secret). */
  @Column({ type: 'varchar', length: 300 })
  recipient: string;

  /** Where it goes: the address or the full webhook URL. Never in an answer or a log. */
  @Column({ type: 'text' })
  target: string;

  /** Sent without an alert (rule mode `silent`). */
  @Column({ type: 'boolean', default: false })
  silent: boolean;

  @Column({ type: 'varchar', length: 10 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @TimestampColumn({ nullable: true })
  nextAttemptAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  @TimestampColumn({ nullable: true })
  sentAt: Date | null;
}
