import { DecimalColumn, type Decimal, TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

/**
 * One position: what tradedesk bought (and the user adopted) in one market of one account, kept
 * fill by fill in the transaction that records the fill. A row exists for every market an order
 * was placed on, so a fill or an exit only ever locks a row that is there.
 */
@Entity('positions')
export class PositionOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  accountId: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  symbol: string;

  @DecimalColumn()
  quantity: Decimal;

  /** Cost of what is still held, buy fees included (quote currency). */
  @DecimalColumn()
  costBasis: Decimal;

  @DecimalColumn()
  realizedPnl: Decimal;

  /** Everything ever paid for buys and adoptions: the denominator of the return. */
  @DecimalColumn()
  totalBought: Decimal;

  /** Fees in a third currency (e.g. BNB) as JSON `{ "BNB": "0.0015" }`. */
  @Column({ type: 'text', default: '{}' })
  otherFees: string;

  /** When the quantity last went from nothing to something; null while flat. */
  @TimestampColumn({ nullable: true })
  openedAt: Date | null;

  @TimestampColumn()
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
