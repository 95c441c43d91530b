import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * Inserts rows in one statement without writing anything back into the given objects.
 * `manager.insert` re-reads generated and default columns after a multi-row insert and, on
 * SQLite, merges them — primary keys included — into the objects in the order the re-read returns
 * them, which is not the insert order: objects end up carrying another row's id. Callers here
 * always set their ids themselves and need nothing back.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: ReadonlyArray<QueryDeepPartialEntity<T>>,
): Promise<void> {
  if (rows.length === 0) return;
  await manager
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(rows as QueryDeepPartialEntity<T>[])
    .updateEntity(false)
    .execute();
}
