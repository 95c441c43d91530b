import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler, QueryBus } from '@nestjs/cqrs';
import {
  type ClosedBy,
  ClosePositionCommand,
  GetOrderQuery,
  NEVER_RECEIVED_REASON,
  OrderFilledEvent,
  OrderRejectedEvent,
  OrderCanceledEvent,
  type OrderView,
  PlaceOrderCommand,
  type PlaceOrderResult,
  PositionClosedError,
} from '@tradedesk/orders';
import { ConflictError, dec, DomainError, Outbox, type OutboxMessage, RetryLater, UnitOfWork, ValidationError } from '@tradedesk/shared';
import { In } from 'typeorm';
import { ConditionCancelledEvent, ConditionFiredEvent } from '../domain/condition.events.js';
import { isProtective } from '../domain/condition.types.js';
import { exitLimitPrice, liquidatesPosition } from '../domain/exit-order.js';
import { isRecurring, nextOccurrenceAt, parseWhen, rearmMemory } from '../domain/when-tree.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { ConditionEngine, FIRE_TOPIC, firingKey } from './condition-engine.js';
import { causeOf, dustLeft, exitOrderSpec, exitTermsOf, orderEnded, orderExecuted } from './condition-orders.js';
import { appendTimeline, appendTimelines, compareAndSet, positionClosedChange } from './condition-store.js';

/** An order that ended (filled, rejected, cancelled), as its event tells it. */
interface OrderEnd {
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
 * Executes a condition's order intent. The idempotency key is derived from the condition and its
 * firing number, so a re-delivered intent returns the order placed the first time.
 */
@Injectable()
export class FireConditionHandler implements OnModuleInit {
  private readonly logger = new Logger(FireConditionHandler.name);
  private readonly ends: OrderEnd[] = [];
  private settling: Promise<void> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  onModuleInit(): void {
    this.outbox.register(FIRE_TOPIC, (m) => this.handle(m));
  }

  async handle(message: OutboxMessage): Promise<void> {
    const { conditionId, firing, key: payloadKey } = message.payload as { conditionId: string; firing: number; key?: string };
    const row = await this.uow.autocommit((manager) => manager.findOne(ConditionOrmEntity, { where: { id: conditionId } }));
    // A redelivery after a crash between recording the order and settling: catch up from the order.
    if (row?.status === 'FIRED' && row.lastOrderId) return this.catchUp(row.lastOrderId);
    if (!row || row.status !== 'FIRING') return;
    if (row.version !== firing) return; // an earlier firing's intent (a recurring rule fires again and again)
    // Intents written before keys were numbered by firing carry none: they keep the key they were placed under.
    const key = payloadKey ?? `cond-${row.id}-${firing}`;
    let orderId: string;
    try {
      orderId = await this.place(row, key);
    } catch (error) {
      if (error instanceof PositionClosedError) {
        await this.cancelClosed(row, error.reason, error.closedBy);
        return;
      }
      if (error instanceof DomainError && (error.kind === 'unavailable' || error.kind === 'rate_limited')) {
        // The exchange is away or busy: keep trying (without counting towards giving up) — a stop
        // that stops retrying is a stop that never fires.
        const retryAfterMs = typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 2_000;
        throw new RetryLater(`${error.code}: ${error.message}`, Math.min(30_000, Math.max(500, retryAfterMs)));
      }
      if (error instanceof DomainError && error.kind !== 'internal') {
        await this.fail(row, `${error.code}: ${error.message}`);
        return;
      }
      throw error;
    }
    await this.uow.run(async (tx) => {
      const orderIds = [...(JSON.parse(row.orderIds) as string[]), orderId];
      if (
        !(await compareAndSet(tx, row.id, ['FIRING'], undefined, {
          status: 'FIRED',
          lastOrderId: orderId,
          orderIds: JSON.stringify([...new Set(orderIds)]),
        }))
      )
        return;
      await appendTimeline(tx, row.id, [{ event: 'fired', status: 'FIRED', details: { orderId, idempotencyKey: key } }]);
      tx.publish(
        new ConditionFiredEvent({ conditionId: row.id, kind: row.kind, accountId: row.accountId, symbol: row.symbol, status: 'FIRED' }),
      );
    });
    // The order may already have ended before its id was recorded here: catch up from its state.
    await this.catchUp(orderId);
  }

  private async catchUp(orderId: string): Promise<void> {
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

  private async place(row: ConditionOrmEntity, key: string): Promise<string> {
    const cause = causeOf(row.kind);
    if (row.kind === 'conditional') {
      const a = JSON.parse(row.action!) as Record<string, string>;
      const result: PlaceOrderResult = await this.commands.execute(
        new PlaceOrderCommand(
          {
            accountId: row.accountId,
            symbol: a.symbol!,
            side: a.side as 'buy' | 'sell',
            type: a.type as 'market' | 'limit',
            ...(a.amount ? { amount: dec(a.amount) } : {}),
            ...(a.cost ? { cost: dec(a.cost) } : {}),
            ...(a.price ? { price: dec(a.price) } : {}),
          },
          { purpose: 'conditional', cause, idempotencyKey: key },
        ),
      );
      return result.orderId;
    }
    const terms = exitTermsOf(row)!;
    const trigger = row.firedTrigger ?? row.firedPrice!;
    if (liquidatesPosition(terms)) {
      const result: PlaceOrderResult = await this.commands.execute(
        new ClosePositionCommand(row.accountId, row.symbol!, cause, {
          idempotencyKey: key,
          scope: terms.amount === 'balance' ? 'balance' : 'position',
          referencePrice: trigger,
          ...(terms.executionType === 'limit' ? { limitPrice: exitLimitPrice(terms, trigger) } : {}),
        }),
      );
      return result.orderId;
    }
    const exit = await exitOrderSpec(this.queries, { accountId: row.accountId, symbol: row.symbol! }, terms, trigger);
    try {
      const result: PlaceOrderResult = await this.commands.execute(
        new PlaceOrderCommand(exit.spec, { purpose: 'protective', cause, idempotencyKey: key, positionExit: { referencePrice: trigger } }),
      );
      return result.orderId;
    } catch (error) {
      const dust = dustLeft(error, exit);
      if (dust) throw dust;
      if (error instanceof ValidationError && error.code === 'ORDER.INSUFFICIENT_BALANCE') {
        // The coins may have just been sold by another exit of the position whose order was not
        // recorded when this one was sized: size again from the position as it is now.
        const again = await exitOrderSpec(this.queries, { accountId: row.accountId, symbol: row.symbol! }, terms, trigger);
        if (again.spec.amount!.lt(exit.spec.amount!))
          throw new RetryLater('the position shrank while this exit was sized; sizing it again', 200);
      }
      // A re-delivered intent sized from a position that has since changed: the first order stands.
      if (error instanceof ConflictError && error.code === 'ORDER.IDEMPOTENCY_KEY_REUSED' && typeof error.details?.orderId === 'string')
        return error.details.orderId;
      throw error;
    }
  }

  /** Nothing was left of the position when the exit came to sell: CANCELLED "position closed", not FAILED. */
  private async cancelClosed(row: ConditionOrmEntity, reason: string, closedBy: ClosedBy | undefined): Promise<void> {
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

  private async fail(row: ConditionOrmEntity, reason: string): Promise<void> {
    this.logger.error(`condition ${row.id} (${row.kind}) failed: ${reason}`);
    await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, ['FIRING', 'FIRED'], undefined, { status: 'FAILED', failureReason: reason.slice(0, 2000) })))
        return;
      await appendTimeline(tx, row.id, [{ event: 'failed', status: 'FAILED', details: { reason } }]);
      tx.publish(ConditionEngine.failedEvent(row, reason));
    });
  }

  /**
   * Settles the conditions of ended orders together: one read for the batch and one transaction
   * for the exits that filled (FIRED → DONE); anything else (a rejection, a recurring rule) is
   * settled one by one. Ends that arrive while a batch is written wait for the next one.
   */
  settleLater(end: OrderEnd): void {
    this.ends.push(end);
    this.settling ??= this.settleQueued().finally(() => (this.settling = undefined));
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
      await this.cancelClosed(row, 'position closed: its order was cancelled by a liquidation of the position', undefined);
    else await this.fail(row, `order ${orderId} ${status.toLowerCase()}${reason ? `: ${reason}` : ''}`);
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
    });
    return true;
  }
}

@EventsHandler(OrderFilledEvent, OrderRejectedEvent, OrderCanceledEvent)
export class SettleConditionWhenOrderEndsHandler implements IEventHandler<OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent> {
  constructor(private readonly fire: FireConditionHandler) {}

  handle(event: OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent): void {
    const reason = event instanceof OrderRejectedEvent ? event.reason : undefined;
    const cancelledBy = event instanceof OrderCanceledEvent ? event.cause : undefined;
    this.fire.settleLater({
      orderId: event.order.orderId,
      status: event.order.status,
      filled: event.order.filled,
      ...(reason ? { reason } : {}),
      ...(cancelledBy ? { cancelledBy } : {}),
    });
  }
}
