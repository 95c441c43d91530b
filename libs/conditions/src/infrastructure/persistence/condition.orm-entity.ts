import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConditionState } from '../../domain/condition.js';
import type { ConditionKind, ConditionStatus, DowntimePolicy, PriceSource } from '../../domain/condition.types.js';

/**
 * A condition as armed by the user. `version` is the compare-and-set token of every status or
 * definition change; the trailing high-water mark and crossing memory are written without it.
 */
@Entity('conditions')
@Index('ix_conditions_status', ['status'])
// Conditions of a market by status, newest first (armed conditions by market; GET /api/conditions).
@Index('ix_conditions_market_status', ['accountId', 'symbol', 'status', 'createdAt'])
@Index('ix_conditions_changed', ['changedAt'])
@Index('ix_conditions_last_order', ['lastOrderId'])
@Index('ix_conditions_stop_order', ['stopOrderId'])
@Index('ix_conditions_take_profit_order', ['takeProfitOrderId'])
export class ConditionOrmEntity implements ConditionState {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  kind: ConditionKind;

  @Column({ type: 'varchar', length: 12 })
  status: ConditionStatus;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  /** Market acted on (null for a conditional, whose action names its own). */
  @Column({ type: 'varchar', length: 24, nullable: true })
  symbol: string | null;

  /** Account whose gateway supplies the watched price (differs for cross-exchange watching). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  watchAccountId: string | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  watchSymbol: string | null;

  @Column({ type: 'varchar', length: 4 })
  source: PriceSource;

  @DecimalColumn({ nullable: true })
  stopPrice: Decimal | null;

  @DecimalColumn({ nullable: true })
  takeProfitPrice: Decimal | null;

  @DecimalColumn({ nullable: true })
  trailPercent: Decimal | null;

  @DecimalColumn({ nullable: true })
  trailAmount: Decimal | null;

  @DecimalColumn({ nullable: true })
  activationPrice: Decimal | null;

  @DecimalColumn({ nullable: true })
  highWaterMark: Decimal | null;

  /** `all`, `50%` or a base amount. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  amount: string | null;

  @Column({ type: 'varchar', length: 8 })
  executionType: 'market' | 'limit';

  /** A bracket's `emulated` (tradedesk fires it) or `native` (a Binance OCO list rests at the exchange). */
  @Column({ type: 'varchar', length: 8, default: 'emulated' })
  placement: 'emulated' | 'native';

  /** A native bracket's legs: the orders lib's ids of its stop and take-profit orders. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  stopOrderId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  takeProfitOrderId: string | null;

  @DecimalColumn({ nullable: true })
  limitOffset: Decimal | null;

  @Column({ type: 'varchar', length: 8 })
  onDowntime: DowntimePolicy;

  /** The `when` tree as given (JSON). */
  @Column({ type: 'text', nullable: true })
  whenTree: string | null;

  /** The conditional's order action (JSON). */
  @Column({ type: 'text', nullable: true })
  action: string | null;

  /** Per-leaf observations (crossing references, change bases) as JSON. */
  @Column({ type: 'text', nullable: true })
  memory: string | null;

  @TimestampColumn({ nullable: true })
  expiresAt: Date | null;

  /** Which leg fired (`stop` / `take_profit` / `when`), and at what trigger and price. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  firedLeg: string | null;

  @DecimalColumn({ nullable: true })
  firedTrigger: Decimal | null;

  @DecimalColumn({ nullable: true })
  firedPrice: Decimal | null;

  @Column({ type: 'integer', default: 0 })
  firings: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  lastOrderId: string | null;

  /** JSON array of the order ids this condition produced. */
  @Column({ type: 'text' })
  orderIds: string;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  @TimestampColumn()
  armedAt: Date;

  @TimestampColumn()
  createdAt: Date;

  /** Last status or definition change; engines on other instances pick changes up by it. */
  @TimestampColumn()
  changedAt: Date;
}
