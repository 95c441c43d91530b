import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/columns.js';

export type OutboxStatus = 'pending' | 'done' | 'dead';

/**
 * Something that must happen after a commit (submit an order, send a notification), written in
 * the same transaction as the fact that requires it and drained at least once by the dispatcher.
 */
@Entity('outbox_messages')
@Index('ix_outbox_due', ['status', 'priority', 'availableAt'])
export class OutboxMessageOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  topic: string;

  @Column({ type: 'simple-json' })
  payload: Record<string, unknown>;

  /** Lower runs first: protective exits go ahead of everything else. */
  @Column({ type: 'integer', default: 100 })
  priority: number;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @TimestampColumn()
  availableAt: Date;

  /** A claim expires, so a message held by a crashed process is picked up again. */
  @TimestampColumn({ nullable: true })
  claimedUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  processedAt: Date | null;
}
