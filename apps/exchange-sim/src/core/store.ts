import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExchangeId } from './markets.js';
import type { AccountRecord, Balance, SimOrder, SimRejection, SimTrade } from './types.js';

export const STATE_FILE = 'exchange-sim.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  exchange TEXT NOT NULL, api_key TEXT NOT NULL, secret TEXT NOT NULL, seed_balances TEXT NOT NULL, created_at INTEGER NOT NULL,
  enable_withdrawals INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (exchange, api_key));
CREATE TABLE IF NOT EXISTS balances (
  exchange TEXT NOT NULL, api_key TEXT NOT NULL, asset TEXT NOT NULL, free TEXT NOT NULL, locked TEXT NOT NULL, avg_buy_price TEXT NOT NULL,
  PRIMARY KEY (exchange, api_key, asset));
CREATE TABLE IF NOT EXISTS orders (
  exchange TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, api_key TEXT NOT NULL, market TEXT NOT NULL,
  client_order_id TEXT, open INTEGER NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (exchange, id));
CREATE INDEX IF NOT EXISTS orders_by_account ON orders (exchange, api_key, market, seq);
CREATE INDEX IF NOT EXISTS orders_by_client_id ON orders (exchange, client_order_id, seq);
CREATE INDEX IF NOT EXISTS orders_open ON orders (open) WHERE open = 1;
CREATE TABLE IF NOT EXISTS trades (
  exchange TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, api_key TEXT NOT NULL, market TEXT NOT NULL,
  order_id TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (exchange, id));
CREATE INDEX IF NOT EXISTS trades_by_account ON trades (exchange, api_key, market, seq);
CREATE INDEX IF NOT EXISTS trades_by_order ON trades (exchange, order_id, seq);
CREATE TABLE IF NOT EXISTS rejections (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, exchange TEXT NOT NULL, client_order_id TEXT, created_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS used_identifiers (api_key TEXT NOT NULL, identifier TEXT NOT NULL, PRIMARY KEY (api_key, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS used_nonces (api_key TEXT NOT NULL, nonce TEXT NOT NULL, PRIMARY KEY (api_key, nonce)) WITHOUT ROWID;
`;

export interface OrderQuery {
  exchange: ExchangeId;
  apiKey?: string;
  marketId?: string;
  clientOrderId?: string;
  open?: boolean;
  fromSeq?: number;
  startTime?: number;
  endTime?: number;
  limit?: number;
  newestFirst?: boolean;
}

export interface TradeQuery {
  exchange: ExchangeId;
  apiKey: string;
  marketId?: string;
  orderId?: string;
  fromSeq?: number;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/**
 * The emulator's durable state. Every state change is written in one transaction before the
 * HTTP answer leaves, as an exchange acknowledges an order only once it is recorded.
 * WAL with synchronous=NORMAL survives a SIGKILL of the process (committed pages are in the OS),
 * though not a power cut — enough for an emulator and ~20x cheaper per commit than FULL.
 */
export class SimStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, STATE_FILE);
    this.db = new Database(file, { timeout: 250 });
    try {
      // One emulator per state file: an exclusive lock makes a second one fail at start.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      // State files written before keys had permissions: their keys cannot withdraw.
      const columns = this.db.pragma('table_info(accounts)') as Array<{ name: string }>;
      if (!columns.some((c) => c.name === 'enable_withdrawals'))
        this.db.exec('ALTER TABLE accounts ADD COLUMN enable_withdrawals INTEGER NOT NULL DEFAULT 0');
    } catch (error) {
      this.db.close();
      const busy = error instanceof Error && /locked|busy/i.test(error.message);
      throw busy ? new Error(`exchange-sim state ${file} is locked by another running emulator`) : error;
    }
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  getMeta(key: string): string | undefined {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  loadAccounts(): Array<AccountRecord & { balances: Balance[] }> {
    const accounts = this.stmt(
      'SELECT exchange, api_key, secret, seed_balances, created_at, enable_withdrawals FROM accounts',
    ).all() as Array<{
      exchange: ExchangeId;
      api_key: string;
      secret: string;
      seed_balances: string;
      created_at: number;
      enable_withdrawals: number;
    }>;
    const balances = this.stmt('SELECT exchange, api_key, asset, free, locked, avg_buy_price FROM balances').all() as Array<{
      exchange: string;
      api_key: string;
      asset: string;
      free: string;
      locked: string;
      avg_buy_price: string;
    }>;
    return accounts.map((a) => ({
      exchange: a.exchange,
      apiKey: a.api_key,
      secret: a.secret,
      seedBalances: JSON.parse(a.seed_balances) as Record<string, string>,
      createdAt: a.created_at,
      enableWithdrawals: a.enable_withdrawals === 1,
      balances: balances
        .filter((b) => b.exchange === a.exchange && b.api_key === a.api_key)
        .map((b) => ({ asset: b.asset, free: b.free, locked: b.locked, avgBuyPrice: b.avg_buy_price })),
    }));
  }

  putAccount(account: AccountRecord): void {
    this.stmt(
      `INSERT INTO accounts (exchange, api_key, secret, seed_balances, created_at, enable_withdrawals) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(exchange, api_key) DO UPDATE SET secret = excluded.secret, seed_balances = excluded.seed_balances,
         enable_withdrawals = excluded.enable_withdrawals`,
    ).run(
      account.exchange,
      account.apiKey,
      account.secret,
      JSON.stringify(account.seedBalances),
      account.createdAt,
      account.enableWithdrawals ? 1 : 0,
    );
  }

  putBalance(exchange: ExchangeId, apiKey: string, balance: Balance): void {
    this.stmt(
      `INSERT INTO balances (exchange, api_key, asset, free, locked, avg_buy_price) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(exchange, api_key, asset) DO UPDATE SET free = excluded.free, locked = excluded.locked, avg_buy_price = excluded.avg_buy_price`,
    ).run(exchange, apiKey, balance.asset, balance.free, balance.locked, balance.avgBuyPrice);
  }

  deleteBalances(exchange: ExchangeId, apiKey: string): void {
    this.stmt('DELETE FROM balances WHERE exchange = ? AND api_key = ?').run(exchange, apiKey);
  }

  putOrder(order: SimOrder): void {
    const open = order.status === 'NEW' || order.status === 'PARTIALLY_FILLED' ? 1 : 0;
    this.stmt(
      `INSERT INTO orders (exchange, id, seq, api_key, market, client_order_id, open, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(exchange, id) DO UPDATE SET open = excluded.open, data = excluded.data`,
    ).run(
      order.exchange,
      order.id,
      order.seq,
      order.apiKey,
      order.marketId,
      order.clientOrderId,
      open,
      order.createdAt,
      JSON.stringify(order),
    );
  }

  putTrade(trade: SimTrade): void {
    this.stmt('INSERT INTO trades (exchange, id, seq, api_key, market, order_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      trade.exchange,
      trade.id,
      trade.seq,
      trade.apiKey,
      trade.marketId,
      trade.orderId,
      trade.time,
      JSON.stringify(trade),
    );
  }

  putRejection(rejection: SimRejection): void {
    this.stmt('INSERT INTO rejections (exchange, client_order_id, created_at, data) VALUES (?, ?, ?, ?)').run(
      rejection.exchange,
      rejection.clientOrderId,
      rejection.createdAt,
      JSON.stringify(rejection),
    );
  }

  loadOpenOrders(): SimOrder[] {
    return (this.stmt('SELECT data FROM orders WHERE open = 1 ORDER BY seq').all() as Array<{ data: string }>).map(
      (r) => JSON.parse(r.data) as SimOrder,
    );
  }

  maxSeq(table: 'orders' | 'trades'): number {
    const row = this.stmt(`SELECT MAX(seq) AS seq FROM ${table}`).get() as { seq: number | null };
    return row.seq ?? 0;
  }

  findOrder(exchange: ExchangeId, id: string): SimOrder | undefined {
    const row = this.stmt('SELECT data FROM orders WHERE exchange = ? AND id = ?').get(exchange, id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as SimOrder) : undefined;
  }

  listOrders(query: OrderQuery): SimOrder[] {
    const { where, args } = filterClause([
      ['exchange = ?', query.exchange],
      ['api_key = ?', query.apiKey],
      ['market = ?', query.marketId],
      ['client_order_id = ?', query.clientOrderId],
      ['open = ?', query.open === undefined ? undefined : query.open ? 1 : 0],
      ['seq >= ?', query.fromSeq],
      ['created_at >= ?', query.startTime],
      ['created_at <= ?', query.endTime],
    ]);
    const sql = `SELECT data FROM orders WHERE ${where} ORDER BY seq ${query.newestFirst ? 'DESC' : 'ASC'}${limitClause(query.limit)}`;
    return (this.stmt(sql).all(...args) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as SimOrder);
  }

  listTrades(query: TradeQuery): SimTrade[] {
    const { where, args } = filterClause([
      ['exchange = ?', query.exchange],
      ['api_key = ?', query.apiKey],
      ['market = ?', query.marketId],
      ['order_id = ?', query.orderId],
      ['seq >= ?', query.fromSeq],
      ['created_at >= ?', query.startTime],
      ['created_at <= ?', query.endTime],
    ]);
    const sql = `SELECT data FROM trades WHERE ${where} ORDER BY seq ASC${limitClause(query.limit)}`;
    return (this.stmt(sql).all(...args) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as SimTrade);
  }

  tradesOfOrder(exchange: ExchangeId, orderId: string): SimTrade[] {
    return (
      this.stmt('SELECT data FROM trades WHERE exchange = ? AND order_id = ? ORDER BY seq').all(exchange, orderId) as Array<{
        data: string;
      }>
    ).map((r) => JSON.parse(r.data) as SimTrade);
  }

  /** The legs of a Binance order list, by list id or list client id. */
  ordersOfList(exchange: ExchangeId, apiKey: string, by: { orderListId?: number; listClientOrderId?: string }): SimOrder[] {
    const [field, value] =
      by.orderListId !== undefined ? ['$.orderListId', by.orderListId] : ['$.listClientOrderId', by.listClientOrderId ?? ''];
    const sql = `SELECT data FROM orders WHERE exchange = ? AND api_key = ? AND json_extract(data, '${field}') = ? ORDER BY seq`;
    return (this.stmt(sql).all(exchange, apiKey, value) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as SimOrder);
  }

  listRejections(exchange?: ExchangeId, clientOrderId?: string): SimRejection[] {
    const where: string[] = [];
    const args: string[] = [];
    if (exchange !== undefined) {
      where.push('exchange = ?');
      args.push(exchange);
    }
    if (clientOrderId !== undefined) {
      where.push('client_order_id = ?');
      args.push(clientOrderId);
    }
    const sql = `SELECT data FROM rejections${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return (this.stmt(sql).all(...args) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as SimRejection);
  }

  /** Records an Upbit identifier; false when it was used before. */
  claimIdentifier(apiKey: string, identifier: string): boolean {
    return this.stmt('INSERT OR IGNORE INTO used_identifiers (api_key, identifier) VALUES (?, ?)').run(apiKey, identifier).changes === 1;
  }

  /** Records an Upbit JWT nonce; false when it was used before. */
  claimNonce(apiKey: string, nonce: string): boolean {
    return this.stmt('INSERT OR IGNORE INTO used_nonces (api_key, nonce) VALUES (?, ?)').run(apiKey, nonce).changes === 1;
  }

  clearHistory(): void {
    this.db.exec('DELETE FROM orders; DELETE FROM trades; DELETE FROM rejections; DELETE FROM used_identifiers; DELETE FROM used_nonces;');
  }
}

/** `a = ? AND b >= ?…` over the filters that have a value, with their arguments in order. */
function filterClause(filters: Array<[condition: string, value: string | number | undefined]>): {
  where: string;
  args: Array<string | number>;
} {
  const present = filters.filter((f): f is [string, string | number] => f[1] !== undefined);
  return { where: present.map(([condition]) => condition).join(' AND '), args: present.map(([, value]) => value) };
}

function limitClause(limit: number | undefined): string {
  return limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(limit))}` : '';
}
