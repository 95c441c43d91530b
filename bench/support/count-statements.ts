// Preloaded into the app by bench/orders when BENCH_COUNT_STATEMENTS=1 (node --import): counts the
// SQL statements the app sends, by their first words (BEGIN, COMMIT, SELECT … FROM "orders", …), for
// better-sqlite3 and pg, into the JSON file named by BENCH_STATEMENTS_FILE, rewritten every 250 ms.
// Measurement only: it changes nothing in what the statements do.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_STATEMENTS_FILE;
if (file) {
  const counts: Record<string, number> = {};
  /** Milliseconds from sending each statement until its answer, by shape ("ms <shape>"). */
  const add = (key: string, n: number) => (counts[key] = (counts[key] ?? 0) + n);
  const shape = (sql: string): string => {
    const s = sql.replace(/\s+/g, ' ').trim();
    const verb = (/^\w+/.exec(s)?.[0] ?? '?').toUpperCase();
    const table = /\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?/i.exec(s)?.[1];
    return table ? `${verb} ${table}` : verb;
  };
  const count = (sql: unknown): string | undefined => {
    if (typeof sql !== 'string') sql = (sql as { text?: string })?.text;
    if (typeof sql !== 'string') return undefined;
    const key = shape(sql);
    add(key, 1);
    return key;
  };
  const require = createRequire(import.meta.url);
  // TypeORM's query runners: every statement passes through their query() (SQLite's prepared
  // statements are cached below it, so counting prepare() would miss repeats).
  for (const path of ['typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js', 'typeorm/driver/postgres/PostgresQueryRunner.js']) {
    try {
      const runners = require(path) as Record<string, { prototype: { query(sql: string, ...rest: unknown[]): unknown } }>;
      const runner = Object.values(runners)[0];
      const query = runner.prototype.query;
      runner.prototype.query = function (this: unknown, sql: string, ...rest: unknown[]) {
        const key = count(sql);
        const started = performance.now();
        const result = query.call(this, sql, ...rest) as Promise<unknown>;
        const done = () => key && add(`ms ${key}`, performance.now() - started);
        result.then(done, done);
        return result;
      };
    } catch {
      // that driver is not installed
    }
  }
  const write = () => writeFileSync(file, JSON.stringify(counts));
  setInterval(write, 250).unref();
  process.on('exit', write);
}
