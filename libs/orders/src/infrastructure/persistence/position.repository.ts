import { randomUUID } from 'node:crypto';
import { dec, insertRows } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import { PositionBook } from '../../domain/position-book.js';
import { PositionEventOrmEntity } from './position-event.orm-entity.js';
import { PositionOrmEntity } from './position.orm-entity.js';

export interface PositionKey {
  accountId: string;
  symbol: string;
}

export function positionKey(p: PositionKey): string {
  return `${p.accountId} ${p.symbol}`;
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
        if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
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

  /** Writes a held position's book back, with `opened`/`closed` lines when it left or went back to flat. */
  async save(manager: EntityManager, held: HeldPosition, cause: Record<string, unknown>, now = new Date()): Promise<void> {
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
    if (wasFlat && !isFlat) line('opened', { ...cause, quantity: s.quantity.toFixed() });
    if (!wasFlat && isFlat)
      line('closed', { ...cause, realizedPnl: s.realizedPnl.toFixed(), openedAt: row.openedAt?.toISOString() ?? null });
    await insertRows(manager, PositionEventOrmEntity, lines);
    Object.assign(row, { ...s, otherFees, openedAt, updatedAt: now, version: row.version + 1 });
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
