import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { quoteIdentifier } from '../../infrastructure/snapshot-facts.js';
import { TableChecksum, type TargetColumn, toPostgres } from './column-values.js';

/** A migration refused before it wrote anything; the message says why and what to do. */
export class MigrationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefusedError';
  }
}

export interface MigrationProgress {
  /** A table starts: `rows` to copy. */
  table(name: string, rows: number): void;
  /** `rows` more copied in the current table. */
  copied(rows: number): void;
}

export interface SqliteToPostgresOptions {
  sqlitePath: string;
  postgresUrl: string;
  /** Names of the SQLite migrations this version of tradedesk knows: the file must have run them all, and no other. */
  sqliteMigrations: string[];
  /** Creates tradedesk's tables in the (empty) target: its own PostgreSQL migrations. */
  migrateTarget: () => Promise<void>;
  progress?: MigrationProgress;
  /** Rows per INSERT. */
  batchSize?: number;
}

export interface TableReport {
  table: string;
  rows: number;
  /** Order-independent checksum of the rows read from SQLite and of the rows read back from PostgreSQL. */
  sqliteChecksum: string;
  postgresChecksum: string;
}

export interface MigrationReport {
  tables: TableReport[];
  /** `table.column` sequences set past the highest copied id. */
  sequences: string[];
  durationMs: number;
}

const DEFAULT_BATCH = 500;
// PostgreSQL takes at most 65535 parameters per statement.
const MAX_PARAMETERS = 65_000;
const TIMESTAMP_WITHOUT_ZONE = 1114;
const TIMESTAMP_WITH_ZONE = 1184;

interface TargetTable {
  name: string;
  columns: Array<TargetColumn & { nullable: boolean; hasDefault: boolean }>;
  serial: string[];
}

/**
 * Moves a tradedesk SQLite database into an empty PostgreSQL database: the target gets its
 * migrations, then every table is copied in foreign-key order, in batches, in one transaction,
 * with explicit conversions (decimals, booleans, timestamps, JSON); serial sequences are set past
 * the copied ids; then every table is read back and its row count and checksum compared with the
 * SQLite side. Anything wrong after the target was touched empties it again, so it can be rerun.
 * The SQLite file is only read, in one read transaction.
 */
export async function migrateSqliteToPostgres(o: SqliteToPostgresOptions): Promise<MigrationReport> {
  const startedAt = Date.now();
  if (!existsSync(o.sqlitePath)) throw new MigrationRefusedError(`${o.sqlitePath} does not exist`);
  let source: Database.Database;
  try {
    source = new Database(o.sqlitePath, { readonly: true, fileMustExist: true });
    source.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw new MigrationRefusedError(
      `${o.sqlitePath} does not open as a SQLite database: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Timestamps read back as text, zone and all, so that no local time zone gets in between.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
      oid === TIMESTAMP_WITHOUT_ZONE || oid === TIMESTAMP_WITH_ZONE
        ? (v: string) => v
        : (pg.types.getTypeParser(oid, format) as (value: string) => unknown),
  };
  const target = new pg.Client({
    connectionString: o.postgresUrl,
    application_name: 'tradedesk-migrate',
    connectionTimeoutMillis: 10_000,
    types,
  });
  try {
    source.exec('BEGIN'); // one snapshot of the file for reading, counting and checksumming
    checkSourceMigrations(source, o.sqliteMigrations, o.sqlitePath);
    await target.connect();
    await refuseNonEmpty(target);
    let touched = false;
    try {
      touched = true;
      await o.migrateTarget();
      const tables = await targetTables(target);
      checkColumns(source, tables);
      const bySqlite = await copyAll(source, target, tables, o);
      const sequences = await resetSequences(target, tables);
      const report = await compare(target, tables, bySqlite);
      return { tables: report, sequences, durationMs: Date.now() - startedAt };
    } catch (error) {
      if (touched) await emptyAgain(target).catch(() => undefined);
      throw error;
    }
  } finally {
    if (source.inTransaction) source.exec('COMMIT');
    source.close();
    await target.end().catch(() => undefined);
  }
}

function checkSourceMigrations(source: Database.Database, known: string[], path: string): void {
  const hasTable = source.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).get();
  if (!hasTable) throw new MigrationRefusedError(`${path} is not a tradedesk database (it has no migrations table)`);
  const applied = (source.prepare('SELECT name FROM migrations ORDER BY id').all() as Array<{ name: string }>).map((r) => r.name);
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new MigrationRefusedError(`${path} was migrated by a newer tradedesk (${unknown[0]}): run the migration with that version`);
  const missing = known.filter((name) => !applied.includes(name));
  if (missing.length > 0)
    throw new MigrationRefusedError(
      `${path} is from an older tradedesk (${missing.length} migration(s) not run): start this version on it once, stop it, then migrate`,
    );
}

async function refuseNonEmpty(target: pg.Client): Promise<void> {
  const { rows } = await target.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  if (rows.length > 0)
    throw new MigrationRefusedError(
      `the target database is not empty (${rows.length} table(s): ${rows
        .slice(0, 4)
        .map((r) => r.name)
        .join(', ')}${rows.length > 4 ? ', …' : ''}): migrate into a new, empty database; nothing was changed`,
    );
}

/** Back to the empty database it was: allowed only because it was found empty. */
async function emptyAgain(target: pg.Client): Promise<void> {
  await target.query('ROLLBACK').catch(() => undefined);
  await target.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
}

async function targetTables(target: pg.Client): Promise<TargetTable[]> {
  const { rows } = await target.query<{ table: string; name: string; type: string; nullable: string; dflt: string | null }>(
    `SELECT table_name AS table, column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS dflt
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, TargetTable>();
  for (const r of rows) {
    if (r.table === 'migrations') continue; // the target's own, written by its migrations
    const table = tables.get(r.table) ?? { name: r.table, columns: [], serial: [] };
    table.columns.push({ name: r.name, type: r.type, nullable: r.nullable === 'YES', hasDefault: r.dflt !== null });
    if (r.dflt?.startsWith('nextval(')) table.serial.push(r.name);
    tables.set(r.table, table);
  }
  return foreignKeyOrder([...tables.values()], await foreignKeys(target));
}

async function foreignKeys(target: pg.Client): Promise<Array<{ child: string; parent: string }>> {
  const { rows } = await target.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  return rows.map((r) => ({ child: r.child.replace(/^"|"$/g, ''), parent: r.parent.replace(/^"|"$/g, '') }));
}

/** Parents before children, so every row's foreign keys exist when it is inserted. */
export function foreignKeyOrder<T extends { name: string }>(tables: T[], edges: Array<{ child: string; parent: string }>): T[] {
  const ordered: T[] = [];
  const placed = new Set<string>();
  let remaining = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length > 0) {
    const ready = remaining.filter((t) => edges.every((e) => e.child !== t.name || e.parent === t.name || placed.has(e.parent)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle between ${remaining.map((t) => t.name).join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      placed.add(t.name);
    }
    remaining = remaining.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

function sqliteColumns(source: Database.Database, table: string): string[] {
  return (source.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name);
}

/** Every SQLite column has a home in PostgreSQL, and every required PostgreSQL column a value. */
function checkColumns(source: Database.Database, tables: TargetTable[]): void {
  const sqliteTables = (
    source
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'`)
      .all() as Array<{
      name: string;
    }>
  ).map((t) => t.name);
  const extra = sqliteTables.filter((name) => !tables.some((t) => t.name === name));
  if (extra.length > 0) throw new Error(`SQLite tables without a PostgreSQL table: ${extra.join(', ')} (their rows would be lost)`);
  for (const table of tables) {
    if (!sqliteTables.includes(table.name)) throw new Error(`the PostgreSQL table ${table.name} has no SQLite table to copy from`);
    const have = sqliteColumns(source, table.name);
    const lost = have.filter((c) => !table.columns.some((t) => t.name === c));
    if (lost.length > 0) throw new Error(`${table.name}: SQLite columns without a PostgreSQL column: ${lost.join(', ')}`);
    const unfilled = table.columns.filter((c) => !have.includes(c.name) && !c.nullable && !c.hasDefault);
    if (unfilled.length > 0)
      throw new Error(`${table.name}: required PostgreSQL columns SQLite has no value for: ${unfilled.map((c) => c.name).join(', ')}`);
  }
}

async function copyAll(
  source: Database.Database,
  target: pg.Client,
  tables: TargetTable[],
  o: SqliteToPostgresOptions,
): Promise<Map<string, TableChecksum>> {
  const checksums = new Map<string, TableChecksum>();
  await target.query('BEGIN');
  for (const table of tables) {
    const have = new Set(sqliteColumns(source, table.name));
    const columns = table.columns.filter((c) => have.has(c.name));
    const checksum = new TableChecksum(columns);
    checksums.set(table.name, checksum);
    const total = (source.prepare(`SELECT count(*) AS n FROM ${quoteIdentifier(table.name)}`).get() as { n: number }).n;
    o.progress?.table(table.name, total);
    const perBatch = Math.max(1, Math.min(o.batchSize ?? DEFAULT_BATCH, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length))));
    const names = columns.map((c) => quoteIdentifier(c.name)).join(', ');
    let batch: unknown[][] = [];
    let rowNumber = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const values = batch.map((row, r) => `(${row.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
      await target.query(`INSERT INTO ${quoteIdentifier(table.name)} (${names}) VALUES ${values}`, batch.flat());
      o.progress?.copied(batch.length);
      batch = [];
    };
    const select = source.prepare(`SELECT ${names} FROM ${quoteIdentifier(table.name)}`).safeIntegers(false);
    for (const row of select.iterate() as IterableIterator<Record<string, unknown>>) {
      rowNumber++;
      // Converted first: a value that does not fit is reported with its table, row and column.
      batch.push(columns.map((c) => toPostgres(row[c.name], c, () => `${table.name} row ${rowNumber}`)));
      checksum.add(row);
      if (batch.length >= perBatch) await flush();
    }
    await flush();
  }
  await target.query('COMMIT');
  return checksums;
}

async function resetSequences(target: pg.Client, tables: TargetTable[]): Promise<string[]> {
  const reset: string[] = [];
  for (const table of tables) {
    for (const column of table.serial) {
      // The next id is one past the highest copied: new rows never reuse an id.
      await target.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quoteIdentifier(column)}) FROM ${quoteIdentifier(table.name)}), 0) + 1, false)`,
        [quoteIdentifier(table.name), column],
      );
      reset.push(`${table.name}.${column}`);
    }
  }
  return reset;
}

async function compare(target: pg.Client, tables: TargetTable[], bySqlite: Map<string, TableChecksum>): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  await target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  for (const table of tables) {
    const sqlite = bySqlite.get(table.name)!;
    const columns = table.columns.filter((c) => sqlite.columns.some((s) => s.name === c.name));
    const postgres = new TableChecksum(columns);
    await target.query(
      `DECLARE rows_back NO SCROLL CURSOR FOR SELECT ${columns.map((c) => quoteIdentifier(c.name)).join(', ')} FROM ${quoteIdentifier(table.name)}`,
    );
    for (;;) {
      const { rows } = await target.query<Record<string, unknown>>('FETCH 1000 FROM rows_back');
      for (const row of rows) postgres.add(row);
      if (rows.length < 1000) break;
    }
    await target.query('CLOSE rows_back');
    reports.push({ table: table.name, rows: postgres.rows, sqliteChecksum: sqlite.hex, postgresChecksum: postgres.hex });
  }
  await target.query('COMMIT');
  const wrong = reports.filter((r) => r.rows !== bySqlite.get(r.table)!.rows || r.sqliteChecksum !== r.postgresChecksum);
  if (wrong.length > 0)
    throw new Error(
      `the copy does not read back the same: ${wrong.map((r) => `${r.table} (${bySqlite.get(r.table)!.rows} rows in SQLite, ${r.rows} in PostgreSQL, checksums ${r.sqliteChecksum === r.postgresChecksum ? 'equal' : 'differ'})`).join('; ')}`,
    );
  return reports;
}
