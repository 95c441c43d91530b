import { DecimalColumn, type Decimal, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import type { OrderLegType, OrderPurpose, OrderStatus } from '../../domain/order-status.js';

/** One order, born here (with its client order id) before any exchange call. */
@Entity('orders')
// The lists and the hot reads (bench/orders, issue 14; EXPLAIN-checked in orders-indexes.int-spec):
// newest first overall, by account, by account and status; live orders by status (the tracker);
// a position's live sells (the exit room).
@Index('ix_orders_created', ['createdAt', 'id'])
@Index('ix_orders_account_created', ['accountId', 'createdAt', 'id'])
@Index('ix_orders_account_status_created', ['accountId', 'status', 'createdAt'])
@Index('ix_orders_status_created', ['status', 'createdAt'])
@Index('ix_orders_position_side_status', ['accountId', 'symbol', 'side', 'status'])
@Index('ix_orders_account_symbol', ['accountId', 'symbol', 'createdAt'])
@Index('ix_orders_list_client_order_id', ['listClientOrderId'])
export class OrderOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  @Column({ type: 'varchar', length: 32 })
  symbol: string;

  @Column({ type: 'varchar', length: 4 })
  side: 'buy' | 'sell';

  @Column({ type: 'varchar', length: 8 })
  type: 'market' | 'limit';

  /** Base amount asked for (absent for a market buy by cost). */
  @DecimalColumn({ nullable: true })
  amount: Decimal | null;

  /** Quote amount asked for (market buy by cost). */
  @DecimalColumn({ nullable: true })
  requestedCost: Decimal | null;

  @DecimalColumn({ nullable: true })
  price: Decimal | null;

  /** A stop leg's trigger price: the exchange sends the leg once the price reaches it. */
  @DecimalColumn({ nullable: true })
  stopPrice: Decimal | null;

  /**
   * The leg's own exchange type when the order is one leg of an order list (Binance OCO):
   * `limit_maker` (take-profit, type limit), `stop_loss` (stop at market, type market) or
   * `stop_loss_limit` (stop with a limit, type limit). Null for a single order.
   */
  @Column({ type: 'varchar', length: 16, nullable: true })
  legType: OrderLegType | null;

  /** Binance `listClientOrderId` shared by the legs of one order list; null for a single order. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  listClientOrderId: string | null;

  /** The exchange's id of the order list, once acknowledged. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  exchangeListId: string | null;

  /** Binance `newClientOrderId` / Upbit `identifier`; unique forever. */
  @Index('ux_orders_client_order_id', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  clientOrderId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  exchangeOrderId: string | null;

  @Column({ type: 'varchar', length: 20 })
  status: OrderStatus;

  @Column({ type: 'varchar', length: 16 })
  purpose: OrderPurpose;

  @DecimalColumn()
  filled: Decimal;

  /** Quote value filled so far. */
  @DecimalColumn()
  cost: Decimal;

  @DecimalColumn({ nullable: true })
  average: Decimal | null;

  @DecimalColumn({ nullable: true })
  fee: Decimal | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  feeCurrency: string | null;

  /** Set when the submission starts: a PENDING order with it may have reached the exchange. */
  @TimestampColumn({ nullable: true })
  submittedAt: Date | null;

  /** Lookups made to resolve an UNKNOWN outcome. */
  @Column({ type: 'integer', default: 0 })
  resolveAttempts: number;

  /** UNKNOWN after every bounded lookup: a human has to look. */
  @Column({ type: 'boolean', default: false })
  needsAttention: boolean;

  @Column({ type: 'text', nullable: true })
  rejectReason: string | null;

  @Index('ux_orders_idempotency_key', { unique: true })
  @Column({ type: 'varchar', length: 128, nullable: true })
  idempotencyKey: string | null;

  /** SHA-256 of the request body that came with the idempotency key. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestHash: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
