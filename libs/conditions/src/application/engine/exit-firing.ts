import type { QueryBus } from '@nestjs/cqrs';
import {
  type ClosedBy,
  type OrderPlacement,
  PositionClosedError,
  type PositionFacts,
  type PreparedOrder,
  type StartedOrders,
} from '@tradedesk/orders';
import type { Decimal, TransactionScope, UnitOfWork } from '@tradedesk/shared';
import { ConditionCancelledEvent, ConditionFiredEvent, ConditionTriggeredEvent } from '../../domain/condition.events.js';
import { marketKey } from '../../domain/condition.types.js';
import { causeOf, dustLeft, exitOrderSpec } from '../condition-orders.js';
import { appendTimeline, appendTimelines, compareAndSet, positionClosedChange } from '../condition-store.js';
import { type Crossing, type EngineState, facts, type Held } from './engine-state.js';
import { firingEntries, firingKey } from './firing-timeline.js';

/** What a tick's exits take from their positions, shared out across its chunks. */
export interface ExitSizing {
  positions: Map<string, Promise<PositionFacts>>;
  taken: Map<string, Decimal>;
}

/**
 * The direct way of firing protective exits of a fixed or percentage size: sized from what their
 * positions still hold, checked, then written together — compare-and-sets, timelines and the exit
 * orders with their submission marked started — in one transaction per chunk (ADR 0300, ADR 0401).
 */
export class ExitFiring {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly placement: OrderPlacement,
    private readonly queries: QueryBus,
    private readonly state: EngineState,
  ) {}

  /**
   * Fires protective exits together: each exit order is checked first (exchange rules, balance),
   * then one transaction holds every compare-and-set `ARMED → FIRED`, the timelines, the exit
   * orders with their submission marked started, and a claimed submit message per order; the
   * caller sends the orders after commit. Firing is still exactly once: a lost
   * compare-and-set writes no order, an order marked started is never sent by anyone else, and a
   * crash before the sends leaves each order to be looked up (then placed again under the next
   * firing number when the exchange never got it). The work per stop is a fraction of the intent
   * path's, which takes a transaction and a claim for each of: the intent, the order, the
   * submission, FIRED (ADR 0300, fourth round).
   */
  async fireExits(
    crossings: Crossing[],
    { positions, taken }: ExitSizing,
  ): Promise<{ results: Array<'fired' | 'lost'>; viaIntent: Crossing[]; started?: StartedOrders }> {
    const viaIntent: Crossing[] = [];
    const ready: Array<{ crossing: Crossing; h: Held; order: PreparedOrder; sized: Decimal }> = [];
    const closed: Array<{ crossing: Crossing; h: Held; reason: string; closedBy: ClosedBy | undefined }> = [];
    // Sized one after the other in one order for every engine: exits of one position share what it holds.
    const sorted = [...crossings].sort((a, b) => (a.hit.id < b.hit.id ? -1 : 1));
    const specs = [];
    for (const crossing of sorted) {
      const h = this.state.held.get(crossing.hit.id);
      if (!h?.exit) continue;
      const market = { accountId: h.accountId, symbol: h.symbol! };
      try {
        specs.push({ crossing, h, exit: await exitOrderSpec(this.queries, market, h.exit, crossing.hit.trigger, positions, taken) });
      } catch (error) {
        if (error instanceof PositionClosedError) closed.push({ crossing, h, reason: error.reason, closedBy: error.closedBy });
        else viaIntent.push(crossing);
      }
    }
    await Promise.all(
      specs.map(async ({ crossing, h, exit }) => {
        try {
          const order = await this.placement.prepare(exit.spec, {
            purpose: 'protective',
            cause: causeOf(h.kind),
            idempotencyKey: firingKey(h.id, h.firings + 1),
            positionExit: { referencePrice: crossing.hit.trigger },
          });
          ready.push({ crossing, h, order, sized: exit.spec.amount! });
        } catch (error) {
          const dust = dustLeft(error, exit);
          if (dust) closed.push({ crossing, h, reason: dust.reason, closedBy: dust.closedBy });
          // Checks that could not run or did not pass: the intent's handler retries or fails the condition with the reason.
          else viaIntent.push(crossing);
        }
      }),
    );
    if (ready.length === 0 && closed.length === 0) return { results: [], viaIntent };
    // One lock order for every engine, so two instances firing overlapping sets never deadlock.
    ready.sort((a, b) => (a.h.id < b.h.id ? -1 : 1));
    for (const r of [...ready, ...closed]) this.state.drop(r.h.id);
    const now = new Date();
    let started: StartedOrders | undefined;
    let won: typeof ready;
    try {
      won = await this.uow.run(async (tx) => {
        // Under the positions' locks: an exit larger than what is left now (another instance sold some) shrinks or ends.
        const fit = await this.placement.fitExits(
          tx,
          ready.map((r) => r.order),
        );
        const byOrder = new Map(ready.map((r) => [r.order.orderId, r]));
        for (const c of fit.closed) closed.push({ ...byOrder.get(c.order.orderId)!, reason: c.reason, closedBy: c.closedBy });
        await this.cancelClosed(tx, closed, now);
        const winners: typeof ready = [];
        for (const order of fit.fitted) {
          const r = byOrder.get(order.orderId)!;
          const { hit } = r.crossing;
          const high = this.state.pendingHighs.get(r.h.id);
          const orderIds = [...(JSON.parse(r.h.exit!.orderIds) as string[]), r.order.orderId];
          const set = {
            status: 'FIRED' as const,
            firedLeg: hit.leg,
            firedPrice: hit.price,
            firedTrigger: hit.trigger,
            firings: () => 'firings + 1',
            lastOrderId: r.order.orderId,
            orderIds: JSON.stringify(orderIds),
            ...(high ? { highWaterMark: high } : {}),
          };
          if (await compareAndSet(tx, r.h.id, ['ARMED'], r.h.version, set)) winners.push(r);
        }
        await appendTimelines(
          tx,
          winners.flatMap((w) =>
            [
              ...firingEntries(w.h, w.crossing, now),
              {
                event: 'fired',
                status: 'FIRED' as const,
                at: now,
                details: {
                  orderId: w.order.orderId,
                  amount: w.order.row.amount?.toFixed(),
                  idempotencyKey: firingKey(w.h.id, w.h.firings + 1),
                },
              },
            ].map((entry) => ({ conditionId: w.h.id, ...entry })),
          ),
        );
        started = await this.placement.recordStarted(
          tx,
          winners.map((w) => w.order),
        );
        for (const w of winners)
          tx.publish(new ConditionTriggeredEvent(facts(w.h, 'FIRING')), new ConditionFiredEvent(facts(w.h, 'FIRED')));
        return winners;
      });
    } catch (error) {
      if (started) this.placement.abandon(started);
      // Nothing of this chunk was written: what it took from its positions is theirs again for the next chunks.
      for (const r of ready) {
        const key = marketKey(r.h.accountId, r.h.symbol!);
        taken.set(key, (taken.get(key) ?? r.sized).minus(r.sized));
      }
      for (const r of [...ready, ...closed]) {
        this.state.reload.add(r.h.id);
        if (r.crossing.downtime) this.state.crossedWhileDown.add(r.h.id);
      }
      this.state.logger.warn(
        `firing ${ready.length} exits failed, will re-evaluate: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { results: [...ready, ...closed].map(() => 'lost' as const), viaIntent };
    }
    for (const r of [...ready, ...closed]) {
      this.state.crossedWhileDown.delete(r.h.id);
      this.state.pendingHighs.delete(r.h.id);
    }
    const fired = new Set(won.map((w) => w.h.id));
    const outcomes = [...ready, ...closed].map((r) => (fired.has(r.h.id) ? ('fired' as const) : ('lost' as const)));
    return { results: outcomes, viaIntent, ...(started ? { started } : {}) };
  }

  /**
   * Exits that crossed when their position had nothing left (another exit, a manual sell, a
   * liquidation sold it): they end CANCELLED "position closed", naming what closed it, instead of
   * selling coins the position does not hold.
   */
  private async cancelClosed(
    tx: TransactionScope,
    closed: Array<{ crossing: Crossing; h: Held; reason: string; closedBy: ClosedBy | undefined }>,
    now: Date,
  ): Promise<void> {
    for (const c of closed) {
      const change = positionClosedChange(c.reason, c.closedBy);
      const { hit } = c.crossing;
      if (
        !(await compareAndSet(tx, c.h.id, ['ARMED'], c.h.version, {
          ...change.set,
          firedLeg: hit.leg,
          firedPrice: hit.price,
          firedTrigger: hit.trigger,
        }))
      )
        continue;
      await appendTimeline(tx, c.h.id, [
        {
          event: 'triggered',
          status: 'TRIGGERED',
          price: hit.price,
          trigger: hit.trigger,
          at: now,
          details: { source: c.crossing.source, leg: hit.leg },
        },
        { ...change.entry, at: now },
      ]);
      tx.publish(new ConditionCancelledEvent(facts(c.h, 'CANCELLED'), c.reason, c.closedBy));
    }
  }
}
