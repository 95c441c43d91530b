import { Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetOrderQuery, NEVER_RECEIVED_REASON, type OrderView } from '@tradedesk/orders';
import { Outbox, SerialDrain, UnitOfWork } from '@tradedesk/shared';
import { In } from 'typeorm';
import { ConditionExpiredEvent } from '../domain/condition.events.js';
import { isProtective } from '../domain/condition.types.js';
import { isRecurring, nextOccurrenceAt, parseWhen, rearmMemory } from '../domain/when-tree.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { FIRE_TOPIC, firingKey } from './condition-engine.js';
import { orderEnded, orderExecuted } from './condition-orders.js';
import { ConditionOutcomes } from './condition-outcomes.js';
import { appendTimeline, appendTimelines, compareAndSet } from './condition-store.js';

/** An order that ended (filled, rejected, cancelled), as its event tells it. */
export interface OrderEnd {
  orderId: string;
  status: string;
  filled: string;
  reason?: string;
  /** Who cancelled it (`liquidation`: a close or another exit's `all`, selling the whole position). */
  cancelledBy?: string;
}

/** Conditions settled per transaction: one commit for many, without holding SQLite's writer long. */
const SETTLEMENTS_PER_TRANSACTION = 200;

/**
 * Moves FIRED conditions on when their order ends: filled → DONE (a recurring rule: ARMED for its
 * next occurrence), never received → placed again under a new firing number, cancelled by a
 * liquidation → CANCELLED "position closed", otherwise FAILED.
 */
@Injectable()
export class ConditionSettlement {
  private readonly logger = new Logger(ConditionSettlement.name);
  private readonly ends: OrderEnd[] = [];
  private readonly settling = new SerialDrain(
    () => this.settleQueued(),
    () => this.ends.length > 0,
  );

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly queries: QueryBus,
    private readonly outcomes: ConditionOutcomes,
  ) {}

  async catchUp(orderId: string): Promise<void> {
    const order: OrderView = await this.queries.execute(new GetOrderQuery(orderId, { timeline: false }));
    await this.settle(orderId, order.status, order.filled, order.rejectReason ?? undefined);
  }

  /**
   * Settles FIRED conditions whose order has ended without this process hearing of it (the order
   * ended while the process was being killed, so its event was never handled). Run by the scheduler.
   */
  async settleStragglers(): Promise<number> {
    const rows = await this.uow.autocommit((manager) =>
      manager.find(ConditionOrmEntity, { where: { status: 'FIRED' }, select: { id: true, lastOrderId: true } }),
    );
    let settled = 0;
    for (const row of rows) {
      if (!row.lastOrderId) continue;
      const order: OrderView = await this.queries.execute(new GetOrderQuery(row.lastOrderId, { timeline: false }));
      if (!orderEnded(order.status)) continue;
      await this.settle(row.lastOrderId, order.status, order.filled, order.rejectReason ?? undefined);
      settled++;
    }
    return settled;
  }

  /**
   * Settles the conditions of ended orders together: one read for the batch and one transaction
   * for the exits that filled (FIRED → DONE); anything else (a rejection, a recurring rule) is
   * settled one by one. Ends that arrive while a batch is written wait for the next one.
   */
  settleLater(end: OrderEnd): void {
    this.ends.push(end);
    this.settling.kick();
  }

  private async settleQueued(): Promise<void> {
    while (this.ends.length > 0) {
      const batch = this.ends.splice(0, SETTLEMENTS_PER_TRANSACTION);
      await this.settleMany(batch).catch((error: unknown) =>
        this.logger.warn(`settling ${batch.length} condition(s) failed: ${String(error)}`),
      );
    }
  }

  private async settleMany(ends: OrderEnd[]): Promise<void> {
    const ended = ends.filter((e) => orderEnded(e.status));
    if (ended.length === 0) return;
    const rows = await this.uow.autocommit((manager) =>
      manager.find(ConditionOrmEntity, { where: { lastOrderId: In(ended.map((e) => e.orderId)), status: 'FIRED' } }),
    );
    const byOrder = new Map(rows.map((r) => [r.lastOrderId!, r]));
    const filled: Array<{ row: ConditionOrmEntity; end: OrderEnd }> = [];
    const oneByOne: OrderEnd[] = [];
    for (const e of ended) {
      const row = byOrder.get(e.orderId);
      if (!row) continue;
      // A conditional may be a recurring rule that re-arms instead: settled on its own.
      if (orderExecuted(e.status, e.filled) && row.kind !== 'conditional') filled.push({ row, end: e });
      else oneByOne.push(e);
    }
    if (filled.length > 0) {
      try {
        await this.uow.run(async (tx) => {
          const done: typeof filled = [];
          for (const f of filled) if (await compareAndSet(tx, f.row.id, ['FIRED'], undefined, { status: 'DONE' })) done.push(f);
          await appendTimelines(
            tx,
            done.map((d) => ({ conditionId: d.row.id, event: 'done', status: 'DONE' as const, details: { orderId: d.end.orderId } })),
          );
        });
      } catch (error) {
        this.logger.warn(`settling ${filled.length} filled exits together failed, settling each: ${String(error)}`);
        oneByOne.push(...filled.map((f) => f.end));
      }
    }
    for (const e of oneByOne) await this.settle(e.orderId, e.status, e.filled, e.reason, e.cancelledBy);
  }

  /** Moves a FIRED condition on when its order ends: filled → DONE, rejected (or cancelled with nothing filled) → FAILED. */
  async settle(orderId: string, status: string, filled: string, reason?: string, cancelledBy?: string): Promise<void> {
    if (!orderEnded(status)) return;
    const row = await this.uow.autocommit((manager) => manager.findOne(ConditionOrmEntity, { where: { lastOrderId: orderId } }));
    if (!row || row.status !== 'FIRED') return;
    // An Upbit market buy by cost ends `cancel` with what it executed: that is a fill.
    if (orderExecuted(status, filled)) {
      if (await this.rearmIfRecurring(row, orderId)) return;
      await this.uow.run(async (tx) => {
        if (!(await compareAndSet(tx, row.id, ['FIRED'], undefined, { status: 'DONE' }))) return;
        await appendTimeline(tx, row.id, [{ event: 'done', status: 'DONE', details: { orderId } }]);
      });
    } else if (status === 'REJECTED' && reason === NEVER_RECEIVED_REASON) await this.resubmit(row, orderId);
    else if (status === 'CANCELED' && isProtective(row.kind) && cancelledBy === 'liquidation')
      // A liquidation (another exit's `all`, a close) cancelled this resting exit to sell the whole position.
      await this.outcomes.cancelClosed(row, 'position closed: its order was cancelled by a liquidation of the position', undefined);
    else await this.outcomes.fail(row, `order ${orderId} ${status.toLowerCase()}${reason ? `: ${reason}` : ''}`);
  }

  /**
   * The exit's outcome was unknown (a timeout, a lost answer) and the exchange, asked again and
   * again by client order id, does not have it: nothing executed, and the condition still wants its
   * order. It goes back to FIRING with a new firing number — a new idempotency key, so a new client
   * order id — instead of ending FAILED with the position unprotected.
   */
  private async resubmit(row: ConditionOrmEntity, orderId: string): Promise<void> {
    this.logger.warn(`condition ${row.id}: order ${orderId} never reached the exchange; placing it again`);
    await this.uow.run(async (tx) => {
      // A new firing number: a new idempotency key, hence a new client order id for the exchange.
      if (!(await compareAndSet(tx, row.id, ['FIRED'], row.version, { status: 'FIRING', firings: () => 'firings + 1' }))) return;
      await appendTimeline(tx, row.id, [{ event: 'resubmitting', status: 'FIRING', details: { orderId, reason: NEVER_RECEIVED_REASON } }]);
      await this.outbox.enqueue(
        tx,
        FIRE_TOPIC,
        { conditionId: row.id, firing: row.version + 1, key: firingKey(row.id, row.firings + 1) },
        { priority: isProtective(row.kind) ? 0 : 50 },
      );
    });
  }

  /**
   * A recurring rule (a `when` tree with `time.every`, ADR 0301) whose order filled goes back to
   * ARMED for its next occurrence instead of DONE; past its expiry it ends EXPIRED. True when handled.
   */
  private async rearmIfRecurring(row: ConditionOrmEntity, orderId: string): Promise<boolean> {
    if (row.kind !== 'conditional' || !row.whenTree) return false;
    const when = parseWhen(JSON.parse(row.whenTree), new Date(0));
    if (!isRecurring(when)) return false;
    const now = new Date();
    const memory = rearmMemory(when, row.memory ? (JSON.parse(row.memory) as Record<string, string>) : {}, now);
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();
    const next = nextOccurrenceAt(when, row.armedAt, memory);
    await this.uow.run(async (tx) => {
      if (
        !(await compareAndSet(tx, row.id, ['FIRED'], undefined, { status: expired ? 'EXPIRED' : 'ARMED', memory: JSON.stringify(memory) }))
      )
        return;
      await appendTimeline(tx, row.id, [
        expired
          ? { event: 'expired', status: 'EXPIRED', at: now, details: { orderId, expiresAt: row.expiresAt!.toISOString() } }
          : {
              event: 'rearmed',
              status: 'ARMED',
              at: now,
              details: { orderId, firings: row.firings, nextOccurrence: next?.toISOString() ?? null },
            },
      ]);
      if (expired)
        tx.publish(
          new ConditionExpiredEvent(
            { conditionId: row.id, kind: row.kind, accountId: row.accountId, symbol: row.symbol, status: 'EXPIRED' },
            row.expiresAt!,
          ),
        );
    });
    return true;
  }
}
