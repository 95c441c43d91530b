import { randomUUID } from 'node:crypto';
import { PositionBook } from '@tradedesk/orders';
import { dec } from '@tradedesk/shared';
import type { QueryRunner } from 'typeorm';

interface TradeRow {
  id: string;
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  fee: string;
  feeCurrency: string | null;
}

/**
 * Builds the positions table from the fills recorded before it existed, by the same average-cost
 * book that keeps it from now on, and marks the part of each old sell that went beyond its
 * position as untracked. Runs inside the migration's transaction; `placeholder(n)` is the driver's
 * parameter syntax, `timestamp` how it stores an instant.
 */
export async function backfillPositions(
  runner: QueryRunner,
  placeholder: (n: number) => string,
  timestamp: (d: Date) => string = (d) => d.toISOString(),
): Promise<void> {
  const trades = (await runner.query(
    `SELECT "id", "accountId", "symbol", "side", "price", "amount", "fee", "feeCurrency" FROM "trades" ORDER BY "timestamp", "recordedAt", "id"`,
  )) as TradeRow[];
  const books = new Map<string, { accountId: string; symbol: string; book: PositionBook }>();
  for (const t of trades) {
    const key = `${t.accountId} ${t.symbol}`;
    let entry = books.get(key);
    if (!entry) {
      const [base, quote] = t.symbol.split('/') as [string, string];
      entry = { accountId: t.accountId, symbol: t.symbol, book: new PositionBook(base, quote) };
      books.set(key, entry);
    }
    const { untracked } = entry.book.apply({
      side: t.side,
      price: dec(String(t.price)),
      amount: dec(String(t.amount)),
      fee: dec(String(t.fee)),
      ...(t.feeCurrency ? { feeCurrency: t.feeCurrency } : {}),
    });
    if (untracked.gt(0))
      await runner.query(`UPDATE "trades" SET "untracked" = ${placeholder(1)} WHERE "id" = ${placeholder(2)}`, [untracked.toFixed(), t.id]);
  }
  const now = new Date();
  for (const { accountId, symbol, book } of books.values()) {
    const s = book.state();
    const otherFees = JSON.stringify(Object.fromEntries(Object.entries(s.otherFees).map(([k, v]) => [k, v.toFixed()])));
    const values = [
      accountId,
      symbol,
      s.quantity.toFixed(),
      s.costBasis.toFixed(),
      s.realizedPnl.toFixed(),
      s.totalBought.toFixed(),
      otherFees,
      s.quantity.isZero() ? null : timestamp(now),
      timestamp(now),
    ];
    await runner.query(
      `INSERT INTO "positions" ("accountId", "symbol", "quantity", "costBasis", "realizedPnl", "totalBought", "otherFees", "openedAt", "updatedAt", "version") VALUES (${values.map((_, i) => placeholder(i + 1)).join(', ')}, 1)`,
      values,
    );
    if (!s.quantity.isZero())
      await runner.query(
        `INSERT INTO "position_events" ("id", "accountId", "symbol", "at", "event", "details") VALUES (${[1, 2, 3, 4, 5, 6].map(placeholder).join(', ')})`,
        [
          randomUUID(),
          accountId,
          symbol,
          now.toISOString(),
          'opened',
          JSON.stringify({ cause: 'migration', quantity: s.quantity.toFixed() }),
        ],
      );
  }
}
