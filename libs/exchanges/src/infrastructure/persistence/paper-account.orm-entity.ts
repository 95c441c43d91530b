import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The simulated private side of a `paper` exchange account. Its row is also the account's lock:
 * every change to the account's paper balances and orders locks it first, so two instances (or
 * two requests) never spend the same balance twice.
 */
@Entity('paper_accounts')
export class PaperAccountOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  /** The balances the account started with, `{"USDT":"10000"}`. */
  @Column({ type: 'text' })
  startingBalances: string;

  @TimestampColumn()
  createdAt: Date;
}
