import { Injectable, Logger } from '@nestjs/common';
import { type ClosedBy } from '@tradedesk/orders';
import { UnitOfWork } from '@tradedesk/shared';
import { ConditionCancelledEvent } from '../domain/condition.events.js';
import type { ConditionState } from '../domain/condition.js';
import { ConditionEngine } from './condition-engine.js';
import { appendTimeline, compareAndSet, positionClosedChange } from './condition-store.js';

/** How a fired condition ends without a fill: CANCELLED "position closed" (not a failure), or FAILED with its reason. */
@Injectable()
export class ConditionOutcomes {
  private readonly logger = new Logger(ConditionOutcomes.name);

  constructor(private readonly uow: UnitOfWork) {}

  /** Nothing was left of the position when the exit came to sell: CANCELLED "position closed", not FAILED. */
  async cancelClosed(row: ConditionState, reason: string, closedBy: ClosedBy | undefined): Promise<void> {
    this.logger.log(`condition ${row.id} (${row.kind}) cancelled: ${reason}`);
    const change = positionClosedChange(reason, closedBy);
    await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, ['FIRING', 'FIRED'], undefined, change.set))) return;
      await appendTimeline(tx, row.id, [change.entry]);
      tx.publish(
        new ConditionCancelledEvent(
          { conditionId: row.id, kind: row.kind, accountId: row.accountId, symbol: row.symbol, status: 'CANCELLED' },
          reason,
          closedBy,
        ),
      );
    });
  }

  async fail(row: ConditionState, reason: string): Promise<void> {
    this.logger.error(`condition ${row.id} (${row.kind}) failed: ${reason}`);
    await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, ['FIRING', 'FIRED'], undefined, { status: 'FAILED', failureReason: reason.slice(0, 2000) })))
        return;
      await appendTimeline(tx, row.id, [{ event: 'failed', status: 'FAILED', details: { reason } }]);
      tx.publish(ConditionEngine.failedEvent(row, reason));
    });
  }
}
