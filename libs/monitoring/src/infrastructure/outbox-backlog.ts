import { Injectable } from '@nestjs/common';
import { OutboxMessageOrmEntity, UnitOfWork } from '@tradedesk/shared';
import { LessThanOrEqual } from 'typeorm';

export interface OutboxBacklogReport {
  /** How long the oldest message that is due has waited (0 when none is due). */
  lagSeconds: number;
  /** The oldest due message's topic, when one is due. */
  oldestTopic?: string;
  /** Messages parked as `dead` after their attempts, by topic. */
  deadByTopic: Map<string, number>;
}

/** Reads the platform's outbox table (shared, not another context's) for its lag and dead letters. */
@Injectable()
export class OutboxBacklog {
  constructor(private readonly uow: UnitOfWork) {}

  async read(now = new Date()): Promise<OutboxBacklogReport> {
    const oldest = await this.uow.autocommit((manager) =>
      manager.findOne(OutboxMessageOrmEntity, {
        where: { status: 'pending', availableAt: LessThanOrEqual(now) },
        order: { availableAt: 'ASC' },
        select: { id: true, topic: true, availableAt: true },
      }),
    );
    const dead = await this.uow.autocommit((manager) =>
      manager
        .createQueryBuilder(OutboxMessageOrmEntity, 'm')
        .select('m.topic', 'topic')
        .addSelect('COUNT(*)', 'count')
        .where('m.status = :dead', { dead: 'dead' })
        .groupBy('m.topic')
        .getRawMany<{ topic: string; count: string | number }>(),
    );
    return {
      lagSeconds: oldest ? Math.max(0, now.getTime() - oldest.availableAt.getTime()) / 1000 : 0,
      ...(oldest ? { oldestTopic: oldest.topic } : {}),
      deadByTopic: new Map(dead.map((d) => [d.topic, Number(d.count)])),
    };
  }
}
