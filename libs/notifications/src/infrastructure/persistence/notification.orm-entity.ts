import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One notification as the web channel keeps it. The id grows in commit order (notifications are
 * written under one lock), so it is also the live stream's event id and `Last-Event-ID` resumes
 * without a gap.
 */
@Entity('notifications')
@Index('ix_notifications_subject', ['type', 'subject', 'createdAt'])
@Index('ix_notifications_unread', ['readAt', 'id'])
export class NotificationOrmEntity {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Column({ type: 'varchar', length: 10 })
  severity: string;

  /** What it is about (`order:<id>`, `venue:binance:sim`…): cooldowns and incidents are per subject. */
  @Column({ type: 'varchar', length: 200 })
  subject: string;

  /** Rendered in NOTIFY_LOCALE when it was recorded. */
  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text' })
  body: string;

  /** The facts it was made from (decimal strings, ISO times): what emails and webhooks are rendered from. */
  @Column({ type: 'simple-json' })
  data: Record<string, unknown>;

  /** The web channel's mode when it was recorded: `silent` ones are stored read and not pushed live. */
  @Column({ type: 'varchar', length: 8 })
  webMode: string;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  readAt: Date | null;
}
