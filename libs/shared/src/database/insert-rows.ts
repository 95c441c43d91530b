import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * Inserts rows in one statement without writing anything back into the given objects.
 * `manager.insert` re-reads generated and default columns after a multi-row insert and, on
 * SQLite, merges them — primary keys included — into the objects in the order the re-read returns
 * them, which is not the insert order: objects end up carrying another row's id. Callers here
 * always set their ids themselves and need nothing back.
 *
 * Rows of plain columns (the order path's orders, timelines, trades, outbox messages) skip
 * TypeORM's query builder: the statement is built once per table, column list and row count and
 * each value goes through the driver's own conversion (`preparePersistentValue`: transformers,
 * dates, booleans, JSON), so what is stored is what the builder would store. Building the
 * statement was the larger part of an insert's cost on the order path (bench/orders, issue 14).
 * Anything else — rows that leave out different columns, relations, embedded columns, generated
 * UUIDs, SQLite JSON columns — goes through the builder as before.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: ReadonlyArray<QueryDeepPartialEntity<T>>,
): Promise<void> {
  if (rows.length === 0) return;
  const plan = plainInsertPlan(manager, entity, rows);
  if (!plan) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows as QueryDeepPartialEntity<T>[])
      .updateEntity(false)
      .execute();
    return;
  }
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / plan.columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const parameters: unknown[] = [];
    for (const row of chunk)
      for (const column of plan.columns)
        parameters.push(
          column.isVersion && row[column.propertyName as keyof typeof row] === undefined
            ? 1
            : manager.dataSource.driver.preparePersistentValue(row[column.propertyName as keyof typeof row], column),
        );
    await manager.query(insertStatement(manager, plan, chunk.length), parameters);
  }
}

/**
 * One UPDATE of the given columns of the row with primary key `id`, bumping its version column as
 * `manager.update` does, without the query builder (see `insertRows`). Values are property values.
 */
export async function updateRow<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  id: string,
  values: Partial<Record<keyof T & string, unknown>>,
): Promise<void> {
  const metadata = manager.dataSource.getMetadata(entity);
  const properties = Object.keys(values).filter((p) => values[p as keyof typeof values] !== undefined);
  const columns = properties.map((p) => plainColumn(metadata, p, manager.dataSource.options.type));
  const primary = metadata.primaryColumns;
  if (columns.some((c) => !c) || primary.length !== 1 || !isPlainTable(metadata) || metadata.updateDateColumn) {
    await manager.update(entity, { [primary[0].propertyName]: id }, values as QueryDeepPartialEntity<T>);
    return;
  }
  const key = `${metadata.tablePath}|${properties.join(',')}`;
  const cache = updates(manager);
  let sql = cache.get(key);
  if (!sql) {
    const escape = (name: string) => manager.dataSource.driver.escape(name);
    const placeholder = placeholders(manager);
    const sets = columns.map((c, i) => `${escape(c!.databaseName)} = ${placeholder(i + 1)}`);
    if (metadata.versionColumn)
      sets.push(`${escape(metadata.versionColumn.databaseName)} = ${escape(metadata.versionColumn.databaseName)} + 1`);
    sql = `UPDATE ${escape(metadata.tableName)} SET ${sets.join(', ')} WHERE ${escape(primary[0].databaseName)} = ${placeholder(columns.length + 1)}`;
    cache.set(key, sql);
  }
  const parameters = columns.map((c, i): unknown =>
    manager.dataSource.driver.preparePersistentValue(values[properties[i] as keyof typeof values], c!),
  );
  parameters.push(id);
  await manager.query(sql, parameters);
}

interface InsertPlan {
  metadata: EntityMetadata;
  columns: ColumnMetadata[];
  key: string;
}

/** The columns to write when every row sets the same plain columns (a version column may be left out); undefined otherwise. */
function plainInsertPlan<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: ReadonlyArray<QueryDeepPartialEntity<T>>,
): InsertPlan | undefined {
  const metadata = manager.dataSource.getMetadata(entity);
  if (!isPlainTable(metadata) || metadata.createDateColumn || metadata.updateDateColumn) return undefined;
  const set = (row: object) => Object.keys(row).filter((p) => (row as Record<string, unknown>)[p] !== undefined);
  const properties = set(rows[0]);
  const signature = properties.join(',');
  if (rows.some((row) => set(row).join(',') !== signature)) return undefined;
  const type = manager.dataSource.options.type;
  const columns: ColumnMetadata[] = [];
  for (const p of properties) {
    const column = plainColumn(metadata, p, type);
    if (!column) return undefined;
    columns.push(column);
  }
  if (metadata.columns.some((c) => c.isGenerated && c.generationStrategy === 'uuid' && !properties.includes(c.propertyName)))
    return undefined;
  const version = metadata.versionColumn;
  if (version && !properties.includes(version.propertyName)) columns.push(version);
  return { metadata, columns, key: `${metadata.tablePath}|${signature}` };
}

/** A table named without schema or database, of plain columns. */
function isPlainTable(metadata: EntityMetadata): boolean {
  return !metadata.schema && !metadata.database && metadata.embeddeds.length === 0 && metadata.relations.length === 0;
}

/** The column of a property written as a bound value (not a relation, not JSON on SQLite, which TypeORM wraps in json()). */
function plainColumn(metadata: EntityMetadata, property: string, driver: string): ColumnMetadata | undefined {
  const column = metadata.findColumnWithPropertyName(property);
  if (!column || column.relationMetadata || column.embeddedMetadata || column.isVirtual) return undefined;
  if (driver !== 'postgres' && (column.type === 'json' || column.type === 'jsonb')) return undefined;
  return column;
}

function insertStatement(manager: EntityManager, plan: InsertPlan, rows: number): string {
  const key = `${plan.key}|${rows}`;
  const cache = inserts(manager);
  let sql = cache.get(key);
  if (!sql) {
    const escape = (name: string) => manager.dataSource.driver.escape(name);
    const placeholder = placeholders(manager);
    const width = plan.columns.length;
    const tuples = Array.from({ length: rows }, (_, r) => `(${plan.columns.map((_c, i) => placeholder(r * width + i + 1)).join(', ')})`);
    sql = `INSERT INTO ${escape(plan.metadata.tableName)}(${plan.columns.map((c) => escape(c.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}`;
    // Row counts vary with the batch: keep the cache bounded.
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
    cache.set(key, sql);
  }
  return sql;
}

function placeholders(manager: EntityManager): (n: number) => string {
  return manager.dataSource.options.type === 'postgres' ? (n) => `$${n}` : () => '?';
}

/** Statements built so far, per data source (two data sources of one process may be different drivers). */
const insertCache = new WeakMap<object, Map<string, string>>();
const updateCache = new WeakMap<object, Map<string, string>>();
function inserts(manager: EntityManager): Map<string, string> {
  return cacheOf(insertCache, manager.dataSource);
}
function updates(manager: EntityManager): Map<string, string> {
  return cacheOf(updateCache, manager.dataSource);
}
function cacheOf(caches: WeakMap<object, Map<string, string>>, owner: object): Map<string, string> {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new Map();
    caches.set(owner, cache);
  }
  return cache;
}

/** Bound values per statement at most: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;
const MAX_CACHED_STATEMENTS = 500;
