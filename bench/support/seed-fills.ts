// Seeds fills for bench/orders' positions figure, through the app's own persistence layer (its
// entities, its DataSource and insertRows, the PositionBook that the order ledger uses): filled
// market orders of one market with one trade each, alternately buys and sells, written in
// transactions of 1,000, and the position's row brought to what those fills make of it. Run only
// while tradedesk is stopped (on SQLite the file is its alone while it runs).
import { randomUUID } from 'node:crypto';
import { PositionBook } from '@tradedesk/orders';
import { DatabaseConfig, dataSourceOptions, dec, type Decimal, insertRows, TradedeskDataSource } from '@tradedesk/shared';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { persistenceSchema } from '../../apps/api/src/persistence/schema.js';

const BATCH = 1000;

function target(ds: TradedeskDataSource, table: string): EntityTarget<ObjectLiteral> {
  const meta = ds.entityMetadatas.find((m) => m.tableName === table);
  if (!meta) throw new Error(`no entity for table ${table}`);
  return meta.target;
}

/** Adds fills until the trades table holds `total`; answers how many it added and how long it took. */
export async function seedFills(options: {
  driver: 'sqlite' | 'postgres';
  url: string;
  accountId: string;
  symbol: string;
  total: number;
  price: string;
}): Promise<{ added: number; ms: number }> {
  const config = new DatabaseConfig(options.driver, options.url.replace(/^sqlite:/, ''), 4);
  const ds = new TradedeskDataSource(dataSourceOptions(config, persistenceSchema));
  await ds.initialize();
  const started = Date.now();
  try {
    const trades = target(ds, 'trades');
    const orders = target(ds, 'orders');
    const positions = target(ds, 'positions');
    const existing = await ds.manager.count(trades);
    const toAdd = Math.max(0, options.total - existing);
    const [base, quote] = options.symbol.split('/') as [string, string];
    const price = dec(options.price);
    const amount = dec('0.001');
    let added = 0;
    while (added < toAdd) {
      const n = Math.min(BATCH, toAdd - added);
      await ds.transaction(async (manager: EntityManager) => {
        const row = (await manager.findOne(positions, { where: { accountId: options.accountId, symbol: options.symbol } })) as
          (ObjectLiteral & Record<string, Decimal> & { otherFees: string; version: number }) | null;
        const otherFees = Object.fromEntries(
          Object.entries(JSON.parse(row?.otherFees ?? '{}') as Record<string, string>).map(([k, v]) => [k, dec(v)]),
        );
        const book = PositionBook.restore(base, quote, {
          quantity: row?.quantity ?? dec(0),
          costBasis: row?.costBasis ?? dec(0),
          realizedPnl: row?.realizedPnl ?? dec(0),
          totalBought: row?.totalBought ?? dec(0),
          otherFees,
        });
        const orderRows: ObjectLiteral[] = [];
        const tradeRows: ObjectLiteral[] = [];
        const now = Date.now();
        for (let i = 0; i < n; i++) {
          const id = randomUUID();
          // A buy, then a sell of the same amount 1 % higher: the position stays small, PnL grows.
          const side = (added + i) % 2 === 0 ? 'buy' : 'sell';
          const fillPrice = side === 'buy' ? price : price.times('1.01');
          const at = new Date(now - (toAdd - added - i) * 10);
          const fee = amount.times(fillPrice).times('0.001');
          orderRows.push({
            id,
            accountId: options.accountId,
            exchange: 'binance',
            symbol: options.symbol,
            side,
            type: 'market',
            amount,
            requestedCost: null,
            price: null,
            clientOrderId: `td-${id.replace(/-/g, '')}`,
            exchangeOrderId: `seed-${id}`,
            status: 'FILLED',
            purpose: 'manual',
            filled: amount,
            cost: amount.times(fillPrice),
            average: fillPrice,
            fee,
            feeCurrency: quote,
            submittedAt: at,
            createdAt: at,
            updatedAt: at,
            version: 1,
          });
          const { untracked } = book.apply({ side, price: fillPrice, amount, fee, feeCurrency: quote });
          tradeRows.push({
            id: randomUUID(),
            accountId: options.accountId,
            orderId: id,
            tradeId: `seed-${id}`,
            symbol: options.symbol,
            side,
            price: fillPrice,
            amount,
            fee,
            feeCurrency: quote,
            untracked: untracked.gt(0) ? untracked : null,
            timestamp: at,
            recordedAt: at,
          });
        }
        await insertRows(manager, orders, orderRows);
        await insertRows(manager, trades, tradeRows);
        const s = book.state();
        const fields = {
          quantity: s.quantity,
          costBasis: s.costBasis,
          realizedPnl: s.realizedPnl,
          totalBought: s.totalBought,
          otherFees: JSON.stringify(Object.fromEntries(Object.entries(s.otherFees).map(([k, v]) => [k, v.toFixed()]))),
          updatedAt: new Date(),
        };
        if (row)
          await manager.update(
            positions,
            { accountId: options.accountId, symbol: options.symbol },
            { ...fields, version: row.version + 1 },
          );
        else
          await insertRows(manager, positions, [
            { accountId: options.accountId, symbol: options.symbol, openedAt: new Date(), version: 1, ...fields },
          ]);
      });
      added += n;
    }
    return { added, ms: Date.now() - started };
  } finally {
    await ds.destroy();
  }
}
