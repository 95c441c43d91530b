import { insertRows, type TransactionScope } from '@tradedesk/shared';
import type { TimelineEntry } from '../domain/condition.js';
import type { ConditionStatus } from '../domain/condition.types.js';
import { ConditionTimelineOrmEntity } from '../infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

export type { TimelineEntry } from '../domain/condition.js';

export async function appendTimeline(tx: TransactionScope, conditionId: string, entries: TimelineEntry[]): Promise<void> {
  await appendTimelines(
    tx,
    entries.map((entry) => ({ conditionId, ...entry })),
  );
}

/** Timeline lines of several conditions in one statement. */
export async function appendTimelines(tx: TransactionScope, entries: Array<TimelineEntry & { conditionId: string }>): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date();
  await insertRows(
    tx.manager,
    ConditionTimelineOrmEntity,
    entries.map((e) => ({
      conditionId: e.conditionId,
      at: e.at ?? now,
      event: e.event,
      status: e.status,
      price: e.price ?? null,
      trigger: e.trigger ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    })) as QueryDeepPartialEntity<ConditionTimelineOrmEntity>[],
  );
}

/**
 * The one compare-and-set of a condition: succeeds only if the row is still in one of `from` (and,
 * when given, at `version`); bumps the version. Returns false when another writer won.
 */
export async function compareAndSet(
  tx: TransactionScope,
  id: string,
  from: readonly ConditionStatus[],
  version: number | undefined,
  set: QueryDeepPartialEntity<ConditionOrmEntity>,
): Promise<boolean> {
  const query = tx.manager
    .createQueryBuilder()
    .update(ConditionOrmEntity)
    .set({ ...set, version: () => 'version + 1', changedAt: new Date() })
    .where('id = :id', { id })
    .andWhere('status IN (:...from)', { from });
  if (version !== undefined) query.andWhere('version = :version', { version });
  const result = await query.execute();
  return (result.affected ?? 0) === 1;
}

/** The compare-and-set and the timeline line of an exit that found its position sold: CANCELLED "position closed". */
export function positionClosedChange(
  reason: string,
  closedBy: { orderId: string; conditionId?: string } | undefined,
): { set: QueryDeepPartialEntity<ConditionOrmEntity>; entry: TimelineEntry } {
  return {
    set: { status: 'CANCELLED', failureReason: reason.slice(0, 2000) },
    entry: { event: 'cancelled', status: 'CANCELLED', details: { cause: 'position', reason, ...(closedBy ? { closedBy } : {}) } },
  };
}
