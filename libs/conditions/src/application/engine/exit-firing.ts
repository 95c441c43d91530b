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
import { causeOf, dustLeft, exitOrderSpec, type ExitSpec } from '../condition-orders.js';
import { appendTimeline, appendTimelines, compareAndSet, positionClosedChange, type TimelineEntry } from '../condition-store.js';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ConditionOrmEntity } from '../../infrastructure/persistence/condition.orm-entity.js';
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
    sizing: ExitSizing,
  ): Promise<{ results: Array<'fired' | 'lost'>; viaIntent: Crossing[]; started?: StartedOrders }> {
    const { ready, closed, viaIntent } = await this.prepareExits(crossings, sizing);
    if (ready.length === 0 && closed.length === 0) return { results: [], viaIntent };
    // One lock order for every engine, so two instances firing overlapping sets never deadlock.
    ready.sort((a, b) => (a.h.id < b.h.id ? -1 : 1));
    const all = [...ready, ...closed];
    for (const r of all) this.state.drop(r.h.id);
    let written: { winners: Ready[]; started: StartedOrders } | undefined;
    try {
      written = await this.uow.run((tx) => this.writeFirings(tx, ready, closed, (s) => (written = { winners: [], started: s })));
    } catch (error) {
      if (written) this.placement.abandon(written.started);
      this.unwind(ready, closed, sizing.taken, error);
      return { results: all.map(() => 'lost' as const), viaIntent };
    }
    for (const r of all) {
      this.state.crossedWhileDown.delete(r.h.id);
      this.state.pendingHighs.delete(r.h.id);
    }
    const fired = new Set(written.winners.map((w) => w.h.id));
    return { results: all.map((r) => (fired.has(r.h.id) ? ('fired' as const) : ('lost' as const))), viaIntent, started: written.started };
  }

  /**
   * Sizes each crossed exit from what its position still holds — one after the other in one order
   * for every engine, so exits of one position share what it holds — and checks its order; an exit
   * with nothing (or dust) left is closed, one whose checks could not run or pass goes the intent
   * way (its consumer retries, or fails the condition with the reason).
   */
  private async prepareExits(
    crossings: Crossing[],
    { positions, taken }: ExitSizing,
  ): Promise<{ ready: Ready[]; closed: Closed[]; viaIntent: Crossing[] }> {
    const viaIntent: Crossing[] = [];
    const closed: Closed[] = [];
    const specs: Array<{ crossing: Crossing; h: Held; exit: ExitSpec }> = [];
    for (const crossing of [...crossings].sort((a, b) => (a.hit.id < b.hit.id ? -1 : 1))) {
      const h = this.state.held.get(crossing.hit.id);
      if (!h?.exit) continue;
      try {
        specs.push({
          crossing,
          h,
          exit: await exitOrderSpec(
            this.queries,
            { accountId: h.accountId, symbol: h.symbol! },
            h.exit,
            crossing.hit.trigger,
            positions,
            taken,
          ),
        });
      } catch (error) {
        if (error instanceof PositionClosedError) closed.push({ crossing, h, reason: error.reason, closedBy: error.closedBy });
        else viaIntent.push(crossing);
      }
    }
    const ready: Ready[] = [];
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
          else viaIntent.push(crossing);
        }
      }),
    );
    return { ready, closed, viaIntent };
  }

  /**
   * One transaction for the chunk: under the positions' locks each exit is capped again to what is
   * left now (another instance may have sold some) — it shrinks or closes —, then the compare-and-
   * sets `ARMED → FIRED`, the timelines and the exit orders with their submission marked started.
   */
  private async writeFirings(
    tx: TransactionScope,
    ready: Ready[],
    closed: Closed[],
    recorded: (started: StartedOrders) => void,
  ): Promise<{ winners: Ready[]; started: StartedOrders }> {
    const now = new Date();
    const fit = await this.placement.fitExits(
      tx,
      ready.map((r) => r.order),
    );
    const byOrder = new Map(ready.map((r) => [r.order.orderId, r]));
    for (const c of fit.closed) closed.push({ ...byOrder.get(c.order.orderId)!, reason: c.reason, closedBy: c.closedBy });
    await this.cancelClosed(tx, closed, now);
    const winners: Ready[] = [];
    for (const order of fit.fitted) {
      const r = byOrder.get(order.orderId)!;
      if (await compareAndSet(tx, r.h.id, ['ARMED'], r.h.version, this.firedSet(r))) winners.push(r);
    }
    await appendTimelines(
      tx,
      winners.flatMap((w) => firedLines(w, now)),
    );
    const started = await this.placement.recordStarted(
      tx,
      winners.map((w) => w.order),
    );
    recorded(started);
    for (const w of winners)
      tx.publish(new ConditionTriggeredEvent(facts(w.h, 'FIRING'), w.crossing.observedAt), new ConditionFiredEvent(facts(w.h, 'FIRED')));
    return { winners, started };
  }

  /** What a fired exit's row becomes: FIRED with the crossing that fired it, its order, and the high-water mark it reached. */
  private firedSet(r: Ready): QueryDeepPartialEntity<ConditionOrmEntity> {
    const { hit } = r.crossing;
    const high = this.state.pendingHighs.get(r.h.id);
    return {
      status: 'FIRED',
      firedLeg: hit.leg,
      firedPrice: hit.price,
      firedTrigger: hit.trigger,
      firings: () => 'firings + 1',
      lastOrderId: r.order.orderId,
      orderIds: JSON.stringify([...(JSON.parse(r.h.exit!.orderIds) as string[]), r.order.orderId]),
      ...(high ? { highWaterMark: high } : {}),
    };
  }

  /**
   * Nothing of the chunk was written: what it took from its positions is theirs again for the next
   * chunks, and its conditions are reloaded (keeping a crossed-while-down verdict) on the next sync.
   */
  private unwind(ready: Ready[], closed: Closed[], taken: ExitSizing['taken'], error: unknown): void {
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
  }

  /**
   * Exits that crossed when their position had nothing left (another exit, a manual sell, a
   * liquidation sold it): they end CANCELLED "position closed", naming what closed it, instead of
   * selling coins the position does not hold.
   */
  private async cancelClosed(tx: TransactionScope, closed: Closed[], now: Date): Promise<void> {
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

/** An exit sized and checked, ready to be written. */
interface Ready {
  crossing: Crossing;
  h: Held;
  order: PreparedOrder;
  /** What it took from its position's room when sized (given back if its chunk fails). */
  sized: Decimal;
}

/** An exit whose position had nothing (or dust) left. */
interface Closed {
  crossing: Crossing;
  h: Held;
  reason: string;
  closedBy: ClosedBy | undefined;
}

/** The timeline of a fired exit: what was crossed, FIRING, and FIRED with its order and key. */
function firedLines(w: Ready, now: Date): Array<TimelineEntry & { conditionId: string }> {
  return [
    ...firingEntries(w.h, w.crossing, now),
    {
      event: 'fired',
      status: 'FIRED' as const,
      at: now,
      details: { orderId: w.order.orderId, amount: w.order.row.amount?.toFixed(), idempotencyKey: firingKey(w.h.id, w.h.firings + 1) },
    },
  ].map((entry) => ({ conditionId: w.h.id, ...entry }));
}
