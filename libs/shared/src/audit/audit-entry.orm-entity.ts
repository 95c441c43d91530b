import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../database/columns.js';

/**
 * One sensitive action, appended in the transaction of the action itself where there is one, and
 * never changed afterwards. `details` never holds a key, secret or token (AuditTrail redacts them).
 */
@Entity('audit_log')
@Index('ix_audit_log_action', ['action', 'id'])
export class AuditEntryOrmEntity {
  /** Insertion order: newest first is the highest id. */
  @PrimaryGeneratedColumn('increment')
  id: number;

  @TimestampColumn()
  occurredAt: Date;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** `api` (the bearer token), `cli` (an npm run command on the server), `system` (tradedesk itself). */
  @Column({ type: 'varchar', length: 16 })
  actor: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  subjectType: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  subjectId: string | null;

  /** The X-Request-Id of the HTTP request that did it. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ type: 'simple-json', nullable: true })
  details: Record<string, unknown> | null;
}
