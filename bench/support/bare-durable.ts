// The "bare durable order route" baseline of bench/orders: what any order API that records an
// order before sending it and its answer before replying costs on this machine, with nothing else —
// plain fastify (tradedesk's HTTP adapter), one ccxt client configured as the bare ccxt baseline,
// and the same database with tradedesk's durability settings (SQLite WAL with synchronous=FULL, or
// PostgreSQL). Per POST /orders: INSERT the order (committed), createOrder at the emulator, UPDATE
// it with the answer (committed), reply. No validation, no authentication, no batching of commits.
// Run as its own process: `bare-durable.js <sqlite-file | postgres-url> <emulator url> <apiKey> <secret>`;
// prints "bare-durable listening <url>".
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import ccxt from 'ccxt';
import Fastify from 'fastify';
import pg from 'pg';
import { ccxtUrlsFor } from '@tradedesk/exchange-sim-client';

const [target, simUrl, apiKey, secret] = process.argv.slice(2);

interface Store {
  insert(id: string, clientOrderId: string, body: string): Promise<void>;
  answer(id: string, status: string, filled: string, exchangeOrderId: string): Promise<void>;
  close(): Promise<void>;
}

const CREATE = `CREATE TABLE IF NOT EXISTS orders (id varchar(36) PRIMARY KEY, client_order_id varchar(64) NOT NULL UNIQUE,
  request text NOT NULL, status varchar(16) NOT NULL, filled text, exchange_order_id varchar(64), created_at text NOT NULL, updated_at text NOT NULL)`;

function sqliteStore(file: string): Store {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(CREATE);
  const insert = db.prepare(`INSERT INTO orders VALUES (?, ?, ?, 'PENDING', NULL, NULL, ?, ?)`);
  const update = db.prepare(`UPDATE orders SET status = ?, filled = ?, exchange_order_id = ?, updated_at = ? WHERE id = ?`);
  return {
    insert: async (id, clientOrderId, body) => {
      const now = new Date().toISOString();
      insert.run(id, clientOrderId, body, now, now);
    },
    answer: async (id, status, filled, exchangeOrderId) => {
      update.run(status, filled, exchangeOrderId, new Date().toISOString(), id);
    },
    close: async () => {
      db.close();
    },
  };
}

async function postgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(CREATE);
  return {
    insert: async (id, clientOrderId, body) => {
      const now = new Date().toISOString();
      await pool.query(`INSERT INTO orders VALUES ($1, $2, $3, 'PENDING', NULL, NULL, $4, $4)`, [id, clientOrderId, body, now]);
    },
    answer: async (id, status, filled, exchangeOrderId) => {
      await pool.query(`UPDATE orders SET status = $1, filled = $2, exchange_order_id = $3, updated_at = $4 WHERE id = $5`, [
        status,
        filled,
        exchangeOrderId,
        new Date().toISOString(),
        id,
      ]);
    },
    close: () => pool.end(),
  };
}

const store = target.startsWith('postgres') ? await postgresStore(target) : sqliteStore(target);
const client = new ccxt.binance({
  apiKey,
  secret,
  enableRateLimit: false,
  number: String,
  options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
});
client.urls['api'] = ccxtUrlsFor('binance', simUrl);
await client.loadMarkets();

interface OrderBody {
  symbol: string;
  side: 'buy' | 'sell';
  amount: string;
}

const app = Fastify({ logger: false });
app.post('/orders', async (request, reply) => {
  const body = request.body as OrderBody;
  const id = randomUUID();
  const clientOrderId = `bd-${id.replaceAll('-', '').slice(0, 24)}`;
  await store.insert(id, clientOrderId, JSON.stringify(body));
  const placed = await client.createOrder(body.symbol, 'market', body.side, body.amount as unknown as number, undefined, {
    newClientOrderId: clientOrderId,
  });
  const status = placed.status === 'closed' ? 'FILLED' : 'OPEN';
  await store.answer(id, status, String(placed.filled ?? '0'), String(placed.id));
  return reply.code(201).send({ id, clientOrderId, status, filled: String(placed.filled ?? '0') });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`bare-durable listening ${url}\n`);
process.on('SIGTERM', () => {
  Promise.all([app.close(), store.close(), client.close()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
