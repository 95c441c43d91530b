import { type Decimal, ZERO } from '@tradedesk/shared';
import { type Fill, PositionBook } from './position-book.js';
import { PNL_PERIODS, type PnlPeriod } from './pnl-periods.js';

/** One line of a position's history as it was recorded: a fill (at the time it happened) or an adoption. */
export type PositionEntry = { kind: 'fill'; fill: Fill; at: Date } | { kind: 'adoption'; amount: Decimal; averageEntry: Decimal };

export interface RealizedByPeriod {
  /** The position as the whole history leaves it (equal to the positions table, kept fill by fill). */
  book: PositionBook;
  /** Realized PnL of the sells that happened since each period began, in the position's quote currency. */
  realized: Record<PnlPeriod, Decimal>;
}

/**
 * Replays a position's history through the same PositionBook that kept it, in the order it was
 * recorded, and credits each sell's realized PnL — what the book's realized figure moved by — to
 * every period that had begun when the sell happened. The average entry at a sell depends on every
 * fill before it, so the periods come from a replay, not from a sum over the period's fills alone.
 */
export function realizedByPeriod(
  base: string,
  quote: string,
  entries: readonly PositionEntry[],
  starts: Record<PnlPeriod, Date>,
): RealizedByPeriod {
  const book = new PositionBook(base, quote);
  const realized: Record<PnlPeriod, Decimal> = { today: ZERO, week: ZERO, month: ZERO };
  for (const entry of entries) {
    if (entry.kind === 'adoption') {
      book.adopt(entry.amount, entry.averageEntry);
      continue;
    }
    const before = book.figures().realizedPnl;
    book.apply(entry.fill);
    const made = book.figures().realizedPnl.minus(before);
    if (made.isZero()) continue;
    for (const period of PNL_PERIODS) if (entry.at.getTime() >= starts[period].getTime()) realized[period] = realized[period].plus(made);
  }
  return { book, realized };
}
