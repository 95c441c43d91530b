import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ExecutionPlanRecord, ExecutionSource, ExecutionStatus, ExitStatus } from '../../domain/execution.js';
import type { ExitRole } from '../../domain/exit-plan.js';
import type { ExitExecution } from '../../domain/template-definition.js';

/** One run of a template: its entry order, what it filled, and the exits armed from that fill. */
@Entity('template_executions')
@Index('ix_template_executions_order', ['orderId'])
@Index('ix_template_executions_template', ['templateId', 'createdAt'])
@Index('ix_template_executions_status', ['status'])
@Index('ux_template_executions_idempotency_key', ['idempotencyKey'], { unique: true })
export class TemplateExecutionOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  templateId: string;

  @Column({ type: 'int' })
  templateVersion: number;

  @Column({ type: 'varchar', length: 16 })
  status: ExecutionStatus;

  /** `api`, `webhook` (a hook's signal) or `condition` (a conditional order's action). */
  @Column({ type: 'varchar', length: 12 })
  source: ExecutionSource;

  /** The hook or the condition that ran it. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  sourceId: string | null;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  @Column({ type: 'varchar', length: 32 })
  symbol: string;

  @Column({ type: 'varchar', length: 4 })
  side: 'buy' | 'sell';

  @Column({ type: 'varchar', length: 160, nullable: true })
  idempotencyKey: string | null;

  /** SHA-256 of what was asked with the key: the same key with another request is a 409. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestHash: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  orderId: string | null;

  /** The entry as planned and the exit terms of the version used. */
  @Column({ type: 'simple-json' })
  plan: ExecutionPlanRecord;

  /** Base filled by the entry; `received` after a fee taken in the base coin; `paid` the quote spent, fees included. */
  @DecimalColumn({ nullable: true })
  filled: Decimal | null;

  @DecimalColumn({ nullable: true })
  average: Decimal | null;

  @DecimalColumn({ nullable: true })
  received: Decimal | null;

  @DecimalColumn({ nullable: true })
  paid: Decimal | null;

  /** Sold by the exits so far. */
  @DecimalColumn({ nullable: true })
  sold: Decimal | null;

  @Column({ type: 'boolean', default: false })
  breakEvenMoved: boolean;

  /** When the exits were done: a stop sold the rest, or the take-profits sold it all. */
  @TimestampColumn({ nullable: true })
  closedAt: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}

/** An exit of an execution: the condition armed for it (its id chosen before arming, so arming twice arms once). */
@Entity('template_execution_exits')
@Index('ix_template_execution_exits_execution', ['executionId', 'rung'])
export class TemplateExecutionExitOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  conditionId: string;

  @Column({ type: 'varchar', length: 36 })
  executionId: string;

  @Column({ type: 'varchar', length: 16 })
  role: ExitRole;

  @Column({ type: 'int' })
  rung: number;

  @DecimalColumn()
  amount: Decimal;

  @DecimalColumn({ nullable: true })
  triggerPrice: Decimal | null;

  @DecimalColumn({ nullable: true })
  trailPercent: Decimal | null;

  @DecimalColumn({ nullable: true })
  activationPrice: Decimal | null;

  @Column({ type: 'simple-json', nullable: true })
  execution: ExitExecution | null;

  @Column({ type: 'varchar', length: 12 })
  status: ExitStatus;

  @DecimalColumn({ nullable: true })
  sold: Decimal | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @TimestampColumn()
  updatedAt: Date;
}

/** What happened to an execution, in order: its timeline. */
@Entity('template_execution_events')
@Index('ix_template_execution_events_execution', ['executionId', 'id'])
export class TemplateExecutionEventOrmEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 36 })
  executionId: string;

  @TimestampColumn()
  at: Date;

  /** e.g. `placed`, `entry-filled`, `exit-armed`, `target-filled`, `stop-resized`, `break-even`, `closed`, `failed`. */
  @Column({ type: 'varchar', length: 24 })
  event: string;

  @Column({ type: 'simple-json', nullable: true })
  details: Record<string, unknown> | null;
}
