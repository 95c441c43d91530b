import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One transition or change of a condition, with the prices and times that caused it. */
@Entity('condition_timeline')
@Index('ix_condition_timeline_condition', ['conditionId', 'id'])
export class ConditionTimelineOrmEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 36 })
  conditionId: string;

  @TimestampColumn()
  at: Date;

  /** e.g. `armed`, `triggered`, `firing`, `fired`, `done`, `leg-cancelled`, `adjusted`, `paused`, `expired`, `missed`, `failed`. */
  @Column({ type: 'varchar', length: 24 })
  event: string;

  @Column({ type: 'varchar', length: 12 })
  status: string;

  /** The observed price that caused it, if any. */
  @DecimalColumn({ nullable: true })
  price: Decimal | null;

  @DecimalColumn({ nullable: true })
  trigger: Decimal | null;

  /** JSON: source, leg, order id, reason, changed fields… */
  @Column({ type: 'text', nullable: true })
  details: string | null;
}
