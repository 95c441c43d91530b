import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One line of an order's history: what changed, what caused it, what the exchange said. */
@Entity('order_timeline')
@Index('ix_order_timeline_order', ['orderId', 'id'])
export class OrderTimelineOrmEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 36 })
  orderId: string;

  @TimestampColumn()
  at: Date;

  /** e.g. `placed`, `submitted`, `accepted`, `fill`, `canceled`, `rejected`, `outcome-unknown`, `resolved`. */
  @Column({ type: 'varchar', length: 32 })
  event: string;

  @Column({ type: 'varchar', length: 20 })
  status: string;

  /** Who or what caused it: `api`, `submission`, `tracker`, `reconciliation`, `cancel`, `liquidation`… */
  @Column({ type: 'varchar', length: 32 })
  cause: string;

  /** JSON summary (exchange payload excerpt, error reason); decimals as strings. */
  @Column({ type: 'text', nullable: true })
  details: string | null;
}
