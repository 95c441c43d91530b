import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A fact that was notified (or deliberately not): `order.filled:<orderId>`, `trade.completed:<line id>`…
 * The key is the primary key, so the live event, a retried handler and the reconciliation sweep
 * can all try to notify one fact and exactly one of them does.
 */
@Entity('notification_facts')
export class NotificationFactOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  factKey: string;

  /** The notification that told it; null when its rule had every channel off or a cooldown held it back. */
  @Column({ type: 'integer', nullable: true })
  notificationId: number | null;

  @TimestampColumn()
  recordedAt: Date;
}
