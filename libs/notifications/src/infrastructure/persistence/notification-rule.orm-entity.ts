import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A rule the user changed; a type without a row follows its defaults. */
@Entity('notification_rules')
export class NotificationRuleOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  type: string;

  /** `{ web, email, webhook }` → on | silent | off. */
  @Column({ type: 'simple-json' })
  channels: Record<string, string>;

  @Column({ type: 'integer' })
  threshold: number;

  @Column({ type: 'integer' })
  cooldownSeconds: number;

  @Column({ type: 'simple-json' })
  recipients: string[];

  /** May hold a secret in its path (Slack, Telegram): answers show only its origin. */
  @Column({ type: 'text', nullable: true })
  webhookUrl: string | null;

  @TimestampColumn()
  updatedAt: Date;
}
