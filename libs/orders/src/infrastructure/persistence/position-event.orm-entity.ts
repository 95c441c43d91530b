import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A line of a position's timeline: `opened`, `adopted`, `closed`. */
@Entity('position_events')
@Index('ix_position_events_position', ['accountId', 'symbol', 'at'])
export class PositionEventOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 32 })
  symbol: string;

  @TimestampColumn()
  at: Date;

  @Column({ type: 'varchar', length: 16 })
  event: 'opened' | 'adopted' | 'closed';

  /** JSON: amounts and prices as decimal strings, the order or request that caused it. */
  @Column({ type: 'text', nullable: true })
  details: string | null;
}
