import Database from 'better-sqlite3';
import pg from 'pg';

/** A second, writable connection to the app's database, for specs that look at or break it from outside. */
export interface SqlClient {
  /** Rows of a query; `$1`-style parameters (in order, each once) on both drivers. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function sqlClient(databaseUrl: string): Promise<SqlClient> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true, timeout: 5000 });
    return {
      query: async <T>(sql: string, params: unknown[] = []) => {
        // `$1, $2…` in order, each once: SQLite's positional `?`.
        const statement = db.prepare(sql.replace(/\$\d+/g, '?'));
        return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
      },
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    close: async () => {
      await client.end();
    },
  };
}
