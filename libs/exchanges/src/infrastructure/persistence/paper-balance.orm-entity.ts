import { type Decimal, DecimalColumn, TimestampColumn } from '@tradedesk/shared';
import { Entity, PrimaryColumn } from 'typeorm';

/** One asset of a paper account: free, and locked by its resting orders. */
@Entity('paper_balances')
export class PaperBalanceOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  accountId: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  asset: string;

  @DecimalColumn()
  free: Decimal;

  @DecimalColumn()
  locked: Decimal;

  @TimestampColumn()
  updatedAt: Date;
}
