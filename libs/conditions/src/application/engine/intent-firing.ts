import { Outbox, UnitOfWork, type Decimal } from '@tradedesk/shared';
import { ConditionMissedEvent, ConditionTriggeredEvent } from '../../domain/condition.events.js';
import { isProtective, type PriceSource } from '../../domain/condition.types.js';
import type { BookHit } from '../../domain/trigger-book.js';
import { appendTimeline, compareAndSet } from '../condition-store.js';
import { type EngineState, facts, type FiringResult } from './engine-state.js';
import { FIRE_TOPIC, firingEntries, firingKey } from './firing-timeline.js';

/**
 * The intent way of firing: the condition commits FIRING (or MISSED, for a trigger crossed while
 * down under skip/notify) with an order intent in the outbox, dispatched at once; the intent's
 * consumer places the order. Used by liquidations (`all`, `balance`), conditionals, missed
 * triggers and exits whose checks could not run on the direct way.
 */
export class IntentFiring {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly state: EngineState,
  ) {}

  /**
   * ARMED → FIRING by compare-and-set on the version, with the order intent in the same
   * transaction; a lost race (another instance, a concurrent PATCH) leaves the row to the winner.
   */
  async fire(
    id: string,
    hit: BookHit | undefined,
    source: PriceSource,
    downtime: boolean,
    now = new Date(),
    cause: Record<string, unknown> = {},
    /** A conditional's observed price (its first price leaf): the `price` of its timeline lines. */
    observedPrice?: Decimal,
  ): Promise<FiringResult> {
    const h = this.state.held.get(id);
    if (!h) return 'lost';
    this.state.drop(id);
    const missed = downtime && h.onDowntime !== 'fire';
    const leg = hit ? hit.leg : 'when';
    const messageId = await this.state.guarded(id, () =>
      this.uow.run(async (tx) => {
        const high = this.state.pendingHighs.get(id);
        const set = missed
          ? { status: 'MISSED' as const, firedPrice: hit?.price ?? null, firedTrigger: hit?.trigger ?? null, firedLeg: leg }
          : {
              status: 'FIRING' as const,
              firedLeg: leg,
              firedPrice: hit?.price ?? null,
              firedTrigger: hit?.trigger ?? null,
              firings: () => 'firings + 1',
              ...(high ? { highWaterMark: high } : {}),
              ...(h.memory ? { memory: JSON.stringify(h.memory) } : {}),
            };
        if (!(await compareAndSet(tx, id, ['ARMED'], h.version, set))) return undefined;
        if (missed) {
          const details = { source, leg, ...cause, crossedWhileDown: true, policy: h.onDowntime };
          const common = { price: hit?.price ?? observedPrice ?? null, trigger: hit?.trigger ?? null, at: now };
          await appendTimeline(tx, id, [{ event: 'missed', status: 'MISSED', ...common, details }]);
          tx.publish(new ConditionMissedEvent(facts(h, 'MISSED'), h.onDowntime));
          return null;
        }
        await appendTimeline(tx, id, firingEntries(h, { hit, source, downtime }, now, cause, observedPrice));
        const message = await this.outbox.enqueue(
          tx,
          FIRE_TOPIC,
          { conditionId: id, firing: h.version + 1, key: firingKey(id, h.firings + 1) },
          { priority: isProtective(h.kind) ? 0 : 50 },
        );
        tx.publish(new ConditionTriggeredEvent(facts(h, 'FIRING'), now));
        return message.id;
      }),
    );
    if (messageId === 'error') {
      if (downtime) this.state.crossedWhileDown.add(id);
      return 'lost';
    }
    this.state.crossedWhileDown.delete(id);
    this.state.pendingHighs.delete(id);
    if (messageId === undefined) return 'lost';
    if (messageId === null) return 'missed';
    // Submitted right away; the outbox poller covers a crash before or during this call.
    void this.outbox
      .dispatchNow(messageId)
      .catch((error: unknown) => this.state.logger.warn(`condition ${id}: intent dispatch failed: ${String(error)}`));
    return 'fired';
  }
}
