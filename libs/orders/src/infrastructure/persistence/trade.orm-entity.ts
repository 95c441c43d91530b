import { DecimalColumn, type Decimal, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A fill. `(accountId, tradeId)` is unique, so a fill seen twice is recorded once. */
@Entity('trades')
@Index('ux_trades_account_trade', ['accountId', 'tradeId'], { unique: true })
@Index('ix_trades_account_symbol', ['accountId', 'symbol', 'timestamp'])
// An order's fills (the ledger reads them before recording new ones; GET /api/trades?orderId=).
@Index('ix_trades_order', ['orderId'])
// Newest first overall and by account (GET /api/trades).
@Index('ix_trades_timestamp', ['timestamp', 'id'])
@Index('ix_trades_account_timestamp', ['accountId', 'timestamp', 'id'])
export class TradeOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 36 })
  orderId: string;

  /** The exchange's trade id (or `<exchangeOrderId>#<cumulative filled>` when it reports none). */
  @Column({ type: 'varchar', length: 100 })
  tradeId: string;

  @Column({ type: 'varchar', length: 32 })
  symbol: string;

  @Column({ type: 'varchar', length: 4 })
  side: 'buy' | 'sell';

  @DecimalColumn()
  price: Decimal;

  @DecimalColumn()
  amount: Decimal;

  @DecimalColumn()
  fee: Decimal;

  @Column({ type: 'varchar', length: 16, nullable: true })
  feeCurrency: string | null;

  /**
   * The part of a sell beyond the position (coins held before tradedesk, or bought elsewhere):
   * it never enters realized PnL. Null on buys and on sells the position covered.
   */
  @DecimalColumn({ nullable: true })
  untracked: Decimal | null;

  @TimestampColumn()
  timestamp: Date;

  /** When tradedesk recorded it: orders fills the exchange stamped with the same second. */
  @TimestampColumn()
  recordedAt: Date;
}
