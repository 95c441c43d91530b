import { Injectable } from '@nestjs/common';
import { type TransactionScope, UnitOfWork } from '@tradedesk/shared';
import type { FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Condition, ConditionChange, ConditionState, TimelineEntry } from '../../domain/condition.js';
import { appendTimeline, compareAndSet } from '../../application/condition-store.js';
import { type ConditionFilter, ConditionRepository, type StoredTimelineLine } from '../../application/ports/condition-repository.js';
import { ConditionTimelineOrmEntity } from './condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from './condition.orm-entity.js';

@Injectable()
export class TypeOrmConditionRepository extends ConditionRepository {
  constructor(private readonly uow: UnitOfWork) {
    super();
  }

  find(id: string): Promise<ConditionState | undefined> {
    return this.uow.autocommit(async (manager) => (await manager.findOne(ConditionOrmEntity, { where: { id } })) ?? undefined);
  }

  findWithTimeline(id: string): Promise<{ state: ConditionState; timeline: StoredTimelineLine[] } | undefined> {
    return this.uow.run(async ({ manager }) => {
      const state = await manager.findOne(ConditionOrmEntity, { where: { id } });
      if (!state) return undefined;
      const timeline = await manager.find(ConditionTimelineOrmEntity, { where: { conditionId: id }, order: { id: 'ASC' } });
      return { state, timeline };
    });
  }

  async list(filter: ConditionFilter): Promise<{ states: ConditionState[]; total: number }> {
    const where: FindOptionsWhere<ConditionOrmEntity> = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.status) where.status = filter.status;
    if (filter.kind) where.kind = filter.kind;
    if (filter.symbol) where.symbol = filter.symbol;
    const [states, total] = await this.uow.autocommit((manager) =>
      manager.findAndCount(ConditionOrmEntity, { where, order: { createdAt: 'DESC', id: 'ASC' }, take: filter.limit, skip: filter.offset }),
    );
    return { states, total };
  }

  apply(condition: Condition, change: ConditionChange): Promise<boolean> {
    return this.uow.run(async (tx) => {
      const set = change.set as QueryDeepPartialEntity<ConditionOrmEntity>;
      if (!(await compareAndSet(tx, condition.state.id, change.from, condition.state.version, set))) return false;
      await appendTimeline(tx, condition.state.id, [change.entry]);
      return true;
    });
  }

  insert<T>(state: ConditionState, entry: TimelineEntry, alsoInTransaction?: (tx: TransactionScope) => Promise<T>): Promise<T | undefined> {
    return this.uow.run(async (tx) => {
      await tx.manager.insert(ConditionOrmEntity, state);
      await appendTimeline(tx, state.id, [entry]);
      return alsoInTransaction ? alsoInTransaction(tx) : undefined;
    });
  }
}
