import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A webhook that runs templates on signals signed with its own secret (TradingView-style alerts). */
@Entity('template_hooks')
export class TemplateHookOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** SHA-256 (hex) of the secret: the secret itself is shown once, when made, and never stored. */
  @Column({ type: 'varchar', length: 64 })
  secretDigest: string;

  /** The templates its signals may run; empty: any. */
  @Column({ type: 'simple-json' })
  templateIds: string[];

  /** A signal older than this (by its own timestamp) is stale. */
  @Column({ type: 'int' })
  maxLagSeconds: number;

  /** The same signal (body hash) again within this window is a replay. */
  @Column({ type: 'int' })
  replayWindowSeconds: number;

  /** Calls per minute, all outcomes counted. */
  @Column({ type: 'int' })
  ratePerMinute: number;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  deletedAt: Date | null;
}

/** One call of a hook with its outcome: every call is recorded, refused ones included. */
@Entity('template_hook_calls')
@Index('ix_template_hook_calls_hook', ['hookId', 'receivedAt'])
@Index('ux_template_hook_calls_signal', ['hookId', 'signalHash'], { unique: true })
export class TemplateHookCallOrmEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 36 })
  hookId: string;

  @TimestampColumn()
  receivedAt: Date;

  /** `executed` or `rejected`. */
  @Column({ type: 'varchar', length: 12 })
  outcome: string;

  @Column({ type: 'int' })
  httpStatus: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  code: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  /** Set on the call that executed a signal, and cleared once the replay window is over: one signal executes once. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  signalHash: string | null;

  /** The body's hash, on every call that had a JSON body (a replay shows which signal it repeated). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  bodyHash: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  templateId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  symbol: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  executionId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;
}
