// Every hot query of tradedesk finds its rows through an index (issue 14): on a migrated
// PostgreSQL whose big tables hold 100,000 rows each, EXPLAIN of each query below shows no
// sequential scan of any of them. The queries are those the code sends (the file named beside
// each), with values that select a few rows, as they do in use.
import { createPostgresDatabase } from '@tradedesk/testing';
import { DatabaseConfig, dataSourceOptions, runMigrations, TradedeskDataSource } from '@tradedesk/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { persistenceSchema } from './schema.js';

const ROWS = 100_000;
const ACCOUNTS = 50;
const SYMBOLS = 20;
/** Values of `g` (1…ROWS) spread over accounts and symbols, and one account / market picked for the queries. */
const account = (g: string) => `'acct-' || lpad((${g} % ${ACCOUNTS})::text, 4, '0')`;
const symbol = (g: string) => `'C' || ((${g} / ${ACCOUNTS}) % ${SYMBOLS}) || '/USDT'`;
const ACCOUNT = 'acct-0007';
const SYMBOL = 'C3/USDT';
const NOW = '2026-12-01T00:00:00Z';

/**
 * Fills `table` with ROWS rows in one statement: the columns given as SQL expressions of the row
 * number `g`, every other NOT NULL column without a default a plain value of its type — so the
 * seed keeps working when a column is added.
 */
async function fill(ds: TradedeskDataSource, table: string, given: Record<string, string>): Promise<void> {
  const columns = await ds.query<
    Array<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null; max: number | null }>
  >(
    `SELECT column_name, data_type, is_nullable, column_default, character_maximum_length AS max FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const names: string[] = [];
  const values: string[] = [];
  for (const c of columns) {
    const value = c.column_name in given ? given[c.column_name] : seedValue(table, c);
    if (value === undefined) continue;
    names.push(`"${c.column_name}"`);
    values.push(value);
  }
  await ds.query(`INSERT INTO "${table}" (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, ${ROWS}) AS g`);
}

/** A plain value for a NOT NULL column without a default; undefined for a column the database fills or leaves empty. */
function seedValue(
  table: string,
  c: { column_name: string; data_type: string; is_nullable: string; column_default: string | null; max: number | null },
): string | undefined {
  if (c.is_nullable === 'YES' || c.column_default !== null) return undefined;
  if (c.data_type.includes('char') || c.data_type === 'text') return c.max ? `left('x' || g, ${c.max})` : `'x' || g`;
  if (c.data_type === 'numeric' || c.data_type === 'integer') return '1';
  if (c.data_type.startsWith('timestamp')) return `timestamptz '${NOW}' - g * interval '1 minute'`;
  if (c.data_type === 'boolean') return 'false';
  throw new Error(`no seed value for ${table}.${c.column_name} (${c.data_type})`);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' ? [node['Relation Name'] ?? '?'] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

/** The hot queries: name → SQL (as the code sends it; values inline). */
const HOT: Record<string, string> = {
  // orders.queries.ts ListOrders (newest first, by account / status / time) and its count.
  'orders by account, newest first': `SELECT * FROM orders WHERE "accountId" = '${ACCOUNT}' ORDER BY "createdAt" DESC, id DESC LIMIT 50 OFFSET 0`,
  'orders by account, page 40': `SELECT * FROM orders WHERE "accountId" = '${ACCOUNT}' ORDER BY "createdAt" DESC, id DESC LIMIT 50 OFFSET 2000`,
  'orders by account, counted': `SELECT COUNT(DISTINCT id) FROM orders WHERE "accountId" = '${ACCOUNT}'`,
  'orders by account and status': `SELECT * FROM orders WHERE "accountId" = '${ACCOUNT}' AND status = 'OPEN' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
  'orders by account and symbol': `SELECT * FROM orders WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
  'orders by account and time': `SELECT * FROM orders WHERE "accountId" = '${ACCOUNT}' AND "createdAt" BETWEEN timestamptz '${NOW}' - interval '2 days' AND timestamptz '${NOW}' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
  'orders by status': `SELECT * FROM orders WHERE status = 'REJECTED' ORDER BY "createdAt" DESC, id DESC LIMIT 50`,
  'orders, newest first': `SELECT * FROM orders ORDER BY "createdAt" DESC, id DESC LIMIT 50 OFFSET 0`,
  // order-tracker.ts: the live orders it follows.
  'open orders': `SELECT * FROM orders WHERE status IN ('OPEN', 'PARTIALLY_FILLED', 'UNKNOWN') ORDER BY "createdAt" ASC`,
  // order-submission / answers: an order by id, by client order id.
  'order by client order id': `SELECT * FROM orders WHERE "clientOrderId" = 'x77'`,
  // position-room.ts exitRoom: the live sells of a position.
  'live sells of a position': `SELECT amount, filled, "listClientOrderId" FROM orders WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' AND side = 'sell' AND status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'UNKNOWN')`,
  // order-ledger.ts recordFills; GET /api/trades?orderId=.
  'trades by order': `SELECT "tradeId", amount, price, fee FROM trades WHERE "orderId" = 'order-77'`,
  // GET /api/trades by position (account and market), newest first; by account.
  'trades by position': `SELECT * FROM trades WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' ORDER BY timestamp DESC, id DESC LIMIT 50`,
  'trades by account': `SELECT * FROM trades WHERE "accountId" = '${ACCOUNT}' ORDER BY timestamp DESC, id DESC LIMIT 50`,
  'trades, newest first': `SELECT * FROM trades ORDER BY timestamp DESC, id DESC LIMIT 50`,
  // position-room.ts closedBy: the last sell of a position.
  'last sell of a position': `SELECT "orderId" FROM trades WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' AND side = 'sell' ORDER BY "recordedAt" DESC LIMIT 1`,
  // positions.query.ts / position.repository.ts.
  'positions of an account': `SELECT * FROM positions WHERE "accountId" = '${ACCOUNT}' ORDER BY "accountId" ASC, symbol ASC`,
  'one position': `SELECT * FROM positions WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' FOR UPDATE`,
  // GET /api/conditions?accountId=&symbol=&status=ARMED (typeorm-condition.repository.ts).
  'armed conditions of a market': `SELECT * FROM conditions WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' AND status = 'ARMED' ORDER BY "createdAt" DESC, id ASC LIMIT 50`,
  'conditions by status': `SELECT * FROM conditions WHERE status = 'ARMED' ORDER BY "createdAt" DESC, id ASC LIMIT 50`,
  // outbox.ts claim (a drain) and its claim by id.
  'outbox claim': `SELECT id, topic, payload, attempts, priority FROM outbox_messages WHERE status = 'pending' AND ("claimedUntil" IS NULL OR "claimedUntil" < now()) AND "availableAt" <= now() ORDER BY priority ASC, "createdAt" ASC LIMIT 32 FOR UPDATE SKIP LOCKED`,
  // Timelines: an order's, a condition's, a position's.
  'order timeline': `SELECT * FROM order_timeline WHERE "orderId" = 'order-77' ORDER BY id ASC LIMIT 500`,
  'condition timeline': `SELECT * FROM condition_timeline WHERE "conditionId" = 'cond-77' ORDER BY id ASC LIMIT 500`,
  'position timeline': `SELECT * FROM position_events WHERE "accountId" = '${ACCOUNT}' AND symbol = '${SYMBOL}' ORDER BY at ASC LIMIT 500`,
};

describe('hot queries on PostgreSQL with 100,000 rows per table', () => {
  let ds: TradedeskDataSource;

  beforeAll(async () => {
    const url = await createPostgresDatabase(inject('postgresUrl'), 'td_hot');
    ds = new TradedeskDataSource(dataSourceOptions(new DatabaseConfig('postgres', url, 2), persistenceSchema));
    await ds.initialize();
    await runMigrations(ds);
    const created = `timestamptz '${NOW}' - g * interval '1 minute'`;
    await fill(ds, 'orders', {
      id: `'order-' || g`,
      accountId: account('g'),
      symbol: symbol('g'),
      side: `CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END`,
      // Nearly all ended; a few live, as in a long-used database.
      status: `CASE WHEN g % 200 = 0 THEN 'OPEN' WHEN g % 50 = 1 THEN 'REJECTED' WHEN g % 20 = 2 THEN 'CANCELED' ELSE 'FILLED' END`,
      clientOrderId: `'x' || g`,
      createdAt: created,
      updatedAt: created,
    });
    await fill(ds, 'trades', {
      id: `'trade-' || g`,
      accountId: account('g'),
      orderId: `'order-' || g`,
      tradeId: `'t' || g`,
      symbol: symbol('g'),
      side: `CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END`,
      timestamp: created,
      recordedAt: created,
    });
    await fill(ds, 'conditions', {
      id: `'cond-' || g`,
      accountId: account('g'),
      symbol: symbol('g'),
      status: `CASE WHEN g % 10 = 0 THEN 'ARMED' WHEN g % 10 = 1 THEN 'CANCELLED' ELSE 'DONE' END`,
      createdAt: created,
    });
    await fill(ds, 'outbox_messages', {
      id: `'msg-' || g`,
      status: `CASE WHEN g % 1000 = 0 THEN 'pending' ELSE 'done' END`,
      availableAt: created,
      createdAt: created,
    });
    await fill(ds, 'order_timeline', { orderId: `'order-' || (g / 3)`, at: created });
    await fill(ds, 'condition_timeline', { conditionId: `'cond-' || (g / 3)`, at: created });
    await fill(ds, 'position_events', { id: `'pe-' || g`, accountId: account('g'), symbol: symbol('g'), at: created });
    // One position per account and market; many accounts so the table is as big as the others.
    await fill(ds, 'positions', {
      accountId: `'acct-' || lpad((g / ${SYMBOLS})::text, 4, '0')`,
      symbol: `'C' || (g % ${SYMBOLS}) || '/USDT'`,
    });
    await ds.query('VACUUM ANALYZE');
  }, 180_000);

  afterAll(async () => {
    await ds?.destroy();
  });

  it('has every big table seeded', async () => {
    for (const table of [
      'orders',
      'trades',
      'conditions',
      'outbox_messages',
      'order_timeline',
      'condition_timeline',
      'position_events',
      'positions',
    ]) {
      const [{ n }] = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "${table}"`);
      expect(n, table).toBe(ROWS);
    }
  });

  it.each(Object.entries(HOT))('%s: no sequential scan', async (_name, sql) => {
    const [row] = await ds.query<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`EXPLAIN (FORMAT JSON) ${sql}`);
    const plan = row['QUERY PLAN'][0].Plan;
    expect(seqScans(plan), JSON.stringify(plan)).toEqual([]);
  });
});
