import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler, QueryBus } from '@nestjs/cqrs';
import {
  ClosePositionCommand,
  GetOrderQuery,
  GetPositionsQuery,
  NEVER_RECEIVED_REASON,
  OrderFilledEvent,
  OrderRejectedEvent,
  OrderCanceledEvent,
  type OrderView,
  PlaceOrderCommand,
  type PlaceOrderResult,
  type PositionsReport,
} from '@tradedesk/orders';
import { ConflictError, type Decimal, dec, DomainError, Outbox, type OutboxMessage, RetryLater, UnitOfWork } from '@tradedesk/shared';
import { ConditionFiredEvent } from '../domain/condition.events.js';
import { isProtective } from '../domain/condition.types.js';
import { isRecurring, nextOccurrenceAt, parseWhen, rearmMemory } from '../domain/when-tree.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { ConditionEngine, FIRE_TOPIC } from './condition-engine.js';
import { appendTimeline, compareAndSet } from './condition-store.js';

/**
 * Executes a condition's order intent. The idempotency key is derived from the condition and its
 * firing number, so a re-delivered intent returns the order placed the first time.
 */
@Injectable()
export class FireConditionHandler implements OnModuleInit {
  private readonly logger = new Logger(FireConditionHandler.name);

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
    const { conditionId, firing } = message.payload as { conditionId: string; firing: number };
    const row = await this.uow.autocommit((manager) => manager.findOne(ConditionOrmEntity, { where: { id: conditionId } }));
    // A redelivery after a crash between recording the order and settling: catch up from the order.
    if (row?.status === 'FIRED' && row.lastOrderId) return this.catchUp(row.lastOrderId);
    if (!row || row.status !== 'FIRING') return;
    if (row.version !== firing) return; // an earlier firing's intent (a recurring rule fires again and again)
    const key = `cond-${row.id}-${firing}`;
    let orderId: string;
    try {
      orderId = await this.place(row, key);
    } catch (error) {
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
      if (order.status !== 'FILLED' && order.status !== 'REJECTED' && order.status !== 'CANCELED') continue;
      await this.settle(row.lastOrderId, order.status, order.filled, order.rejectReason ?? undefined);
      settled++;
    }
    return settled;
  }

  private async place(row: ConditionOrmEntity, key: string): Promise<string> {
    const cause = row.kind === 'conditional' ? 'condition' : `condition-${row.kind}`.slice(0, 32);
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
          { purpose: 'manual', cause, idempotencyKey: key },
        ),
      );
      return result.orderId;
    }
    if (row.amount === 'all' && row.executionType === 'market') {
      const result: PlaceOrderResult = await this.commands.execute(
        new ClosePositionCommand(row.accountId, row.symbol!, cause, { idempotencyKey: key }),
      );
      return result.orderId;
    }
    let amount: Decimal;
    if (row.amount!.endsWith('%') || row.amount === 'all') {
      const report: PositionsReport = await this.queries.execute(new GetPositionsQuery({ accountId: row.accountId, symbol: row.symbol! }));
      const quantity = dec(report.positions.find((p) => p.symbol === row.symbol)?.quantity ?? 0);
      amount = row.amount === 'all' ? quantity : quantity.times(dec(row.amount!.slice(0, -1))).div(100);
    } else amount = dec(row.amount!);
    let price: Decimal | undefined;
    if (row.executionType === 'limit') {
      const trigger = row.firedTrigger ?? row.firedPrice!;
      price = trigger.times(dec(100).minus(row.limitOffset ?? 0)).div(100);
    }
    try {
      const result: PlaceOrderResult = await this.commands.execute(
        new PlaceOrderCommand(
          { accountId: row.accountId, symbol: row.symbol!, side: 'sell', type: row.executionType, amount, ...(price ? { price } : {}) },
          { purpose: 'protective', cause, idempotencyKey: key },
        ),
      );
      return result.orderId;
    } catch (error) {
      // A re-delivered intent sized from a position that has since changed: the first order stands.
      if (error instanceof ConflictError && error.code === 'ORDER.IDEMPOTENCY_KEY_REUSED' && typeof error.details?.orderId === 'string')
        return error.details.orderId;
      throw error;
    }
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

  /** Moves a FIRED condition on when its order ends: filled → DONE, rejected (or cancelled with nothing filled) → FAILED. */
  async settle(orderId: string, status: string, filled: string, reason?: string): Promise<void> {
    if (status !== 'FILLED' && status !== 'REJECTED' && status !== 'CANCELED') return;
    const row = await this.uow.autocommit((manager) => manager.findOne(ConditionOrmEntity, { where: { lastOrderId: orderId } }));
    if (!row || row.status !== 'FIRED') return;
    // An Upbit market buy by cost ends `cancel` with what it executed: that is a fill.
    if (status === 'FILLED' || (status === 'CANCELED' && dec(filled).gt(0))) {
      if (await this.rearmIfRecurring(row, orderId)) return;
      await this.uow.run(async (tx) => {
        if (!(await compareAndSet(tx, row.id, ['FIRED'], undefined, { status: 'DONE' }))) return;
        await appendTimeline(tx, row.id, [{ event: 'done', status: 'DONE', details: { orderId } }]);
      });
    } else if (status === 'REJECTED' && reason === NEVER_RECEIVED_REASON) await this.resubmit(row, orderId);
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
      if (!(await compareAndSet(tx, row.id, ['FIRED'], row.version, { status: 'FIRING' }))) return;
      await appendTimeline(tx, row.id, [{ event: 'resubmitting', status: 'FIRING', details: { orderId, reason: NEVER_RECEIVED_REASON } }]);
      await this.outbox.enqueue(
        tx,
        FIRE_TOPIC,
        { conditionId: row.id, firing: row.version + 1 },
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
  private readonly logger = new Logger(SettleConditionWhenOrderEndsHandler.name);

  constructor(private readonly fire: FireConditionHandler) {}

  handle(event: OrderFilledEvent | OrderRejectedEvent | OrderCanceledEvent): void {
    const reason = event instanceof OrderRejectedEvent ? event.reason : undefined;
    void this.fire
      .settle(event.order.orderId, event.order.status, event.order.filled, reason)
      .catch((error: unknown) => this.logger.warn(`settling a condition failed: ${String(error)}`));
  }
}
