import { randomUUID } from 'node:crypto';
import { dec, type Decimal, inputPlaces, insertRows, roundPercent, ZERO } from '@tradedesk/shared';
import { type EntityManager, LessThan, MoreThan } from 'typeorm';
import { PositionBook } from '../../domain/position-book.js';
import { PositionEventOrmEntity } from './position-event.orm-entity.js';
import { PositionOrmEntity } from './position.orm-entity.js';
import { TradeOrmEntity } from './trade.orm-entity.js';

export interface PositionKey {
  accountId: string;
  symbol: string;
}

export function positionKey(p: PositionKey): string {
  return `${p.accountId} ${p.symbol}`;
}

/** The figures of a round trip as its `closed` line keeps them (decimal strings, unrounded). */
export interface ClosedRoundTrip {
  positionEventId: string;
  openedAt: string | null;
  closedAt: string;
  realizedPnl: string;
  positionRealizedPnl: string;
  fees: string;
  bought: string;
  returnPercent: string | null;
}

/** A locked position row and its book, ready to take fills inside the caller's transaction. */
export interface HeldPosition {
  row: PositionOrmEntity;
  book: PositionBook;
}

export function bookOf(row: PositionOrmEntity): PositionBook {
  const [base, quote] = row.symbol.split('/') as [string, string];
  const otherFees = Object.fromEntries(Object.entries(JSON.parse(row.otherFees) as Record<string, string>).map(([k, v]) => [k, dec(v)]));
  return PositionBook.restore(base, quote, {
    quantity: row.quantity,
    costBasis: row.costBasis,
    realizedPnl: row.realizedPnl,
    totalBought: row.totalBought,
    otherFees,
  });
}

/**
 * The positions table. Rows are created (empty) with the first order of a market, so writers only
 * lock rows that exist; they lock them in key order (after any order rows) so that two
 * transactions touching the same positions never wait on each other in a circle.
 */
export const PositionRepository = {
  /** Creates the empty row of a market unless it is there (one statement, no lock taken when it is). */
  async ensure(manager: EntityManager, keys: readonly PositionKey[], now = new Date()): Promise<void> {
    const distinct = [...new Map(keys.map((k) => [positionKey(k), k])).values()];
    if (distinct.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(PositionOrmEntity)
      .values(
        distinct.map((k) => ({
          accountId: k.accountId,
          symbol: k.symbol,
          quantity: dec(0),
          costBasis: dec(0),
          realizedPnl: dec(0),
          totalBought: dec(0),
          otherFees: '{}',
          openedAt: null,
          updatedAt: now,
          version: 1,
        })),
      )
      .orIgnore()
      .updateEntity(false)
      .execute();
  },

  /** Loads positions for update (row locks on PostgreSQL; SQLite writers are serialized), creating missing ones. */
  async lock(manager: EntityManager, keys: readonly PositionKey[]): Promise<Map<string, HeldPosition>> {
    const held = new Map<string, HeldPosition>();
    // One lock order for every writer (key order), so two transactions never wait on each other in a circle.
    const sorted = [...new Set(keys.map(positionKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of sorted) {
      const [accountId, symbol] = key.split(' ') as [string, string];
      const select = () => {
        const query = manager
          .createQueryBuilder(PositionOrmEntity, 'p')
          .where('p.accountId = :accountId AND p.symbol = :symbol', { accountId, symbol });
        if (manager.dataSource.options.type === 'postgres') query.setLock('pessimistic_write');
        return query.getOne();
      };
      let row = await select();
      if (!row) {
        // The first fill of a market: the row is created here (a concurrent creator's row wins, unchanged).
        await this.ensure(manager, [{ accountId, symbol }]);
        row = (await select())!;
      }
      held.set(key, { row, book: bookOf(row) });
    }
    return held;
  },

  /**
   * Writes a held position's book back, with `opened`/`closed` lines when it left or went back to
   * flat; answers the round trip's figures when it went back to flat (they are in the `closed` line).
   */
  async save(
    manager: EntityManager,
    held: HeldPosition,
    cause: Record<string, unknown>,
    now = new Date(),
  ): Promise<{ closed?: ClosedRoundTrip }> {
    const { row, book } = held;
    const wasFlat = row.quantity.isZero();
    const s = book.state();
    const isFlat = s.quantity.isZero();
    const openedAt = isFlat ? null : wasFlat ? now : row.openedAt;
    const otherFees = JSON.stringify(Object.fromEntries(Object.entries(s.otherFees).map(([k, v]) => [k, v.toFixed()])));
    await manager.update(
      PositionOrmEntity,
      { accountId: row.accountId, symbol: row.symbol },
      {
        quantity: s.quantity,
        costBasis: s.costBasis,
        realizedPnl: s.realizedPnl,
        totalBought: s.totalBought,
        otherFees,
        openedAt,
        updatedAt: now,
        version: row.version + 1,
      },
    );
    const lines: Array<Partial<PositionEventOrmEntity>> = [];
    const line = (event: PositionEventOrmEntity['event'], details: Record<string, unknown>) =>
      lines.push({ id: randomUUID(), accountId: row.accountId, symbol: row.symbol, at: now, event, details: JSON.stringify(details) });
    // The life-long counters as the round trip starts: its own figures are the difference at close.
    if (wasFlat && !isFlat)
      line('opened', {
        ...cause,
        quantity: s.quantity.toFixed(),
        realizedPnlBefore: row.realizedPnl.toFixed(),
        totalBoughtBefore: row.totalBought.toFixed(),
      });
    let closed: ClosedRoundTrip | undefined;
    if (!wasFlat && isFlat) {
      const trip = await roundTripOf(manager, row);
      const realized = s.realizedPnl.minus(trip.realizedBefore);
      const bought = s.totalBought.minus(trip.boughtBefore);
      const figures = {
        realizedPnl: s.realizedPnl.toFixed(),
        openedAt: row.openedAt?.toISOString() ?? null,
        roundTrip: {
          realizedPnl: realized.toFixed(),
          // Within the 18 places every printed decimal keeps (docs/trading-semantics.md), a return in 4.
          fees: inputPlaces(trip.fees).toFixed(),
          bought: bought.toFixed(),
          returnPercent: bought.gt(0) ? roundPercent(realized.div(bought).times(100)).toFixed() : null,
        },
      };
      line('closed', { ...cause, ...figures });
      closed = {
        positionEventId: lines[lines.length - 1].id!,
        openedAt: figures.openedAt,
        closedAt: now.toISOString(),
        positionRealizedPnl: figures.realizedPnl,
        ...figures.roundTrip,
      };
    }
    await insertRows(manager, PositionEventOrmEntity, lines);
    Object.assign(row, { ...s, otherFees, openedAt, updatedAt: now, version: row.version + 1 });
    return closed ? { closed } : {};
  },

  async appendEvent(
    manager: EntityManager,
    key: PositionKey,
    event: PositionEventOrmEntity['event'],
    details: Record<string, unknown>,
    now = new Date(),
  ): Promise<void> {
    await insertRows(manager, PositionEventOrmEntity, [{ id: randomUUID(), ...key, at: now, event, details: JSON.stringify(details) }]);
  },
};

/**
 * Where the round trip that is closing started: the life-long counters noted on its `opened` line
 * (zero for a line written before they were noted: the whole life is the round trip then), and the
 * fees of the fills recorded since the previous round trip closed — the opening fill itself is
 * recorded just before its `opened` line, so that line's time cannot bound them.
 */
async function roundTripOf(
  manager: EntityManager,
  row: PositionOrmEntity,
): Promise<{ realizedBefore: Decimal; boughtBefore: Decimal; fees: Decimal }> {
  const where = { accountId: row.accountId, symbol: row.symbol };
  const opened = await manager.findOne(PositionEventOrmEntity, { where: { ...where, event: 'opened' }, order: { at: 'DESC', id: 'DESC' } });
  const noted = opened?.details ? (JSON.parse(opened.details) as { realizedPnlBefore?: string; totalBoughtBefore?: string }) : {};
  const previousClose = opened
    ? await manager.findOne(PositionEventOrmEntity, {
        where: { ...where, event: 'closed', at: LessThan(opened.at) },
        order: { at: 'DESC' },
      })
    : null;
  const trades = await manager.find(TradeOrmEntity, {
    where: { ...where, ...(previousClose ? { recordedAt: MoreThan(previousClose.at) } : {}) },
    select: { side: true, price: true, amount: true, fee: true, feeCurrency: true, untracked: true },
  });
  const [base, quote] = row.symbol.split('/') as [string, string];
  let fees = ZERO;
  for (const t of trades) {
    const inQuote = !t.feeCurrency || t.feeCurrency === quote ? t.fee : t.feeCurrency === base ? t.fee.times(t.price) : ZERO;
    // A sell's part beyond the position was never the position's, nor is its share of the fee.
    const share = t.untracked && t.amount.gt(0) ? t.amount.minus(t.untracked).div(t.amount) : dec(1);
    fees = fees.plus(inQuote.times(share));
  }
  const before = (value: string | undefined) => (value === undefined ? ZERO : dec(value));
  return { realizedBefore: before(noted.realizedPnlBefore), boughtBefore: before(noted.totalBoughtBefore), fees };
}
