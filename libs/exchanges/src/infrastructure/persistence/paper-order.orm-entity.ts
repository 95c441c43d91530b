import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';

/** An order of a paper account, as the simulated exchange keeps it (not tradedesk's own order row). */
@Entity('paper_orders')
@Index('ix_paper_orders_account_client_id', ['accountId', 'clientOrderId'])
@Index('ix_paper_orders_account_status', ['accountId', 'status', 'symbol'])
export class PaperOrderOrmEntity {
  /** The "exchange order id" a paper account reports. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 64 })
  clientOrderId: string;

  @Column({ type: 'varchar', length: 32 })
  symbol: string;

  @Column({ type: 'varchar', length: 4 })
  side: 'buy' | 'sell';

  @Column({ type: 'varchar', length: 8 })
  type: 'market' | 'limit';

  /** `open`, `closed`, `canceled`, `expired` (the gateway's vocabulary). */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @DecimalColumn({ nullable: true })
  amount: Decimal | null;

  @DecimalColumn({ nullable: true })
  price: Decimal | null;

  /** Quote budget of a market buy sized by cost. */
  @DecimalColumn({ nullable: true })
  requestedCost: Decimal | null;

  @DecimalColumn()
  filled: Decimal;

  /** Quote value filled, before fees. */
  @DecimalColumn()
  cost: Decimal;

  @DecimalColumn()
  fee: Decimal;

  @Column({ type: 'varchar', length: 20 })
  feeCurrency: string;

  @Column({ type: 'varchar', length: 20 })
  reservedAsset: string;

  /** What the order still holds locked of `reservedAsset`. */
  @DecimalColumn()
  reserved: Decimal;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
