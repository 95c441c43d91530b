import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A simulated fill of a paper order: what the account's "exchange" reports as its own trades. */
@Entity('paper_trades')
@Index('ix_paper_trades_account_symbol', ['accountId', 'symbol', 'executedAt'])
@Index('ix_paper_trades_order', ['orderId'])
export class PaperTradeOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 36 })
  orderId: string;

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

  @Column({ type: 'varchar', length: 20 })
  feeCurrency: string;

  /** The rate this fill paid (maker or taker): the order's unrounded fee is rebuilt from it. */
  @DecimalColumn()
  feeRate: Decimal;

  /** A resting order crossed by the market, rather than one that took the book. */
  @Column({ type: 'boolean' })
  maker: boolean;

  @TimestampColumn()
  executedAt: Date;
}
