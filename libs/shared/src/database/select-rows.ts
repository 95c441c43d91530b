import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

export interface SelectRowsOptions<T> {
  /** Equality per property; an array value is `IN (...)` (empty: no rows). */
  where: Partial<Record<keyof T & string, unknown>>;
  orderBy?: { property: keyof T & string; direction: 'ASC' | 'DESC' };
  limit?: number;
  /** `FOR UPDATE` on PostgreSQL (SQLite writers are serialized: nothing to lock). */
  forUpdate?: boolean;
}

/**
 * Reads whole entities of a table of plain columns with one statement, without TypeORM's query
 * builder: the SQL is built once per shape, and each value goes through the driver's own
 * conversion (`prepareHydratedValue`: transformers, dates, booleans, JSON), so the entities are
 * what `find` would give. For the order path's hot reads (bench/orders, issue 14), where building
 * the statement and mapping aliases cost more than running it.
 */
export async function selectRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  options: SelectRowsOptions<T>,
): Promise<T[]> {
  const metadata = manager.dataSource.getMetadata(entity);
  if (metadata.schema || metadata.database || metadata.embeddeds.length > 0 || metadata.relations.length > 0)
    throw new Error(`selectRows: ${metadata.name} is not a table of plain columns`);
  const driver = manager.dataSource.driver;
  const postgres = manager.dataSource.options.type === 'postgres';
  const escape = (name: string) => driver.escape(name);
  const parameters: unknown[] = [];
  const conditions: string[] = [];
  for (const [property, value] of Object.entries(options.where)) {
    const column = columnOf(metadata.findColumnWithPropertyName(property), property);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) return [];
    const marks = values.map((v) => {
      parameters.push(driver.preparePersistentValue(v, column));
      return postgres ? `$${parameters.length}` : '?';
    });
    conditions.push(
      Array.isArray(value) ? `${escape(column.databaseName)} IN (${marks.join(', ')})` : `${escape(column.databaseName)} = ${marks[0]}`,
    );
  }
  let sql = `SELECT * FROM ${escape(metadata.tableName)}`;
  if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
  if (options.orderBy)
    sql += ` ORDER BY ${escape(columnOf(metadata.findColumnWithPropertyName(options.orderBy.property), options.orderBy.property).databaseName)} ${options.orderBy.direction}`;
  if (options.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
  if (options.forUpdate && postgres) sql += ' FOR UPDATE';
  const raw = await manager.query<Array<Record<string, unknown>>>(sql, parameters);
  return raw.map((row) => {
    const entityObject = metadata.create() as T;
    for (const column of metadata.columns) {
      (entityObject as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
    }
    return entityObject;
  });
}

function columnOf(column: ColumnMetadata | undefined, property: string): ColumnMetadata {
  if (!column) throw new Error(`selectRows: no column for ${property}`);
  return column;
}
