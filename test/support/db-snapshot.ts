import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

/** Row count and content checksum of every table: two equal snapshots mean nothing was written. */
export type DatabaseSnapshot = Record<string, { rows: number; checksum: string }>;

export interface SnapshotReader {
  snapshot(): Promise<DatabaseSnapshot>;
  close(): Promise<void>;
}

/**
 * Reads a database from outside the app, the way an auditor would: a second SQLite connection
 * (read-only; WAL shows it committed rows only) or a second PostgreSQL client.
 */
export async function snapshotReader(databaseUrl: string): Promise<SnapshotReader> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    const tables = () =>
      (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{
          name: string;
        }>
      ).map((t) => t.name);
    return {
      snapshot: async () => {
        const out: DatabaseSnapshot = {};
        // One read transaction: every table as of the same commit.
        db.transaction(() => {
          for (const table of tables()) {
            const hash = createHash('sha256');
            let rows = 0;
            for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate()) {
              hash.update(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
              rows++;
            }
            out[table] = { rows, checksum: hash.digest('hex') };
          }
        })();
        return out;
      },
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    snapshot: async () => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const { rows: tables } = await client.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
        );
        const out: DatabaseSnapshot = {};
        for (const { name } of tables) {
          const { rows } = await client.query<{ n: string; sum: string | null }>(
            `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM "${name}" t`,
          );
          out[name] = { rows: Number(rows[0].n), checksum: rows[0].sum ?? '' };
        }
        return out;
      } finally {
        await client.query('COMMIT');
      }
    },
    close: async () => {
      await client.end();
    },
  };
}

/** Tables whose count or checksum differ, for an assertion message. */
export function changedTables(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n]?.rows !== after[n]?.rows || before[n]?.checksum !== after[n]?.checksum);
}
