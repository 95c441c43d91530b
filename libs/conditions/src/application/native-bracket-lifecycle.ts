import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CancelOrderCommand, GetOrderQuery, type OrderView, PlaceOcoSellCommand, type PlaceOcoSellResult } from '@tradedesk/orders';
import { ConflictError, dec, DomainError, Outbox, type OutboxMessage, RetryLater, UnitOfWork } from '@tradedesk/shared';
import { IsNull, Not } from 'typeorm';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { exitLimitPrice } from '../domain/exit-order.js';
import { ConditionEngine } from './condition-engine.js';
import { orderEnded, orderExecuted } from './condition-orders.js';
import { appendTimeline, compareAndSet } from './condition-store.js';

/** Outbox topic of a native bracket's placement (written with the ARMED row). */
export const NATIVE_BRACKET_TOPIC = 'conditions.native-bracket';

/** Set on a native bracket while DELETE cancels its list, so the legs' cancellations do not read as a failure. */
export const CANCELLING = 'cancelling';

/**
 * A bracket placed natively (ADR 0302): a Binance OCO list rests at the exchange, which triggers it
 * and expires the other leg; tradedesk places the list exactly once, follows its legs through the
 * orders lib and settles the condition from them. The engine never holds it in a trigger book.
 */
@Injectable()
export class NativeBracketLifecycle implements OnModuleInit {
  private readonly logger = new Logger(NativeBracketLifecycle.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  onModuleInit(): void {
    this.outbox.register(NATIVE_BRACKET_TOPIC, (m) => this.place(m));
  }

  /** The intent armed with the row: places the OCO sell under a key derived from the condition, so a redelivery returns the same legs. */
  async place(message: OutboxMessage): Promise<void> {
    const conditionId = String(message.payload.conditionId);
    const row = await this.load(conditionId);
    if (!row || row.placement !== 'native' || row.stopOrderId) return;
    if (row.status !== 'ARMED') return;
    const key = `cond-${row.id}-native`;
    let placed: PlaceOcoSellResult;
    try {
      const stopPrice = row.stopPrice!;
      placed = await this.commands.execute(
        new PlaceOcoSellCommand(
          {
            accountId: row.accountId,
            symbol: row.symbol!,
            amount: dec(row.amount!),
            takeProfitPrice: row.takeProfitPrice!,
            stopPrice,
            ...(row.executionType === 'limit' ? { stopLimitPrice: exitLimitPrice(row, stopPrice) } : {}),
          },
          { purpose: 'protective', cause: 'condition-bracket', idempotencyKey: key },
        ),
      );
    } catch (error) {
      if (error instanceof DomainError && (error.kind === 'unavailable' || error.kind === 'rate_limited'))
        throw new RetryLater(`${error.code}: ${error.message}`, 2_000);
      if (error instanceof DomainError && error.kind !== 'internal') {
        await this.fail(row, `${error.code}: ${error.message}`);
        return;
      }
      throw error;
    }
    const recorded = await this.uow.run(async (tx) => {
      const ok = await compareAndSet(tx, row.id, ['ARMED'], undefined, {
        stopOrderId: placed.stopLossOrderId,
        takeProfitOrderId: placed.takeProfitOrderId,
        orderIds: JSON.stringify([placed.stopLossOrderId, placed.takeProfitOrderId]),
      });
      if (!ok) return false;
      await appendTimeline(tx, row.id, [
        {
          event: 'placed-natively',
          status: 'ARMED',
          details: {
            listClientOrderId: placed.listClientOrderId,
            stopOrderId: placed.stopLossOrderId,
            takeProfitOrderId: placed.takeProfitOrderId,
            idempotencyKey: key,
          },
        },
      ]);
      return true;
    });
    if (!recorded) {
      // Cancelled while the list was being placed: the list must not outlive its condition.
      await this.commands.execute(new CancelOrderCommand(placed.stopLossOrderId, 'condition-cancelled')).catch(() => undefined);
      return;
    }
    // The legs may have ended before their ids were recorded here (rejected, or already executed).
    for (const id of [placed.stopLossOrderId, placed.takeProfitOrderId]) {
      const order: OrderView = await this.queries.execute(new GetOrderQuery(id, { timeline: false }));
      await this.settle(order.id, order.status, order.filled);
    }
  }

  /**
   * A leg ended. Filled → DONE with that leg (the exchange expired the other). Cancelled or rejected
   * with nothing filled while the other leg is gone too → the list was cancelled outside tradedesk:
   * FAILED, the position is unprotected. A leg expired because its sibling triggered waits for the sibling.
   */
  async settle(orderId: string, status: string, filled: string): Promise<void> {
    if (!orderEnded(status)) return;
    const row = await this.uow.run(({ manager }) =>
      manager.findOne(ConditionOrmEntity, { where: [{ stopOrderId: orderId }, { takeProfitOrderId: orderId }] }),
    );
    if (!row || row.placement !== 'native' || row.status !== 'ARMED') return;
    const leg = row.stopOrderId === orderId ? 'stop' : 'take_profit';
    const otherId = leg === 'stop' ? row.takeProfitOrderId! : row.stopOrderId!;
    if (orderExecuted(status, filled)) {
      await this.uow.run(async (tx) => {
        if (
          !(await compareAndSet(tx, row.id, ['ARMED'], undefined, {
            status: 'DONE',
            firedLeg: leg,
            lastOrderId: orderId,
            firings: 1,
          }))
        )
          return;
        await appendTimeline(tx, row.id, [
          { event: 'triggered', status: 'TRIGGERED', details: { leg, by: 'exchange', orderId } },
          {
            event: 'leg-cancelled',
            status: 'TRIGGERED',
            details: { leg: leg === 'stop' ? 'take_profit' : 'stop', by: 'exchange', orderId: otherId },
          },
          { event: 'done', status: 'DONE', details: { orderId } },
        ]);
      });
      return;
    }
    if (row.firedLeg === CANCELLING) return;
    const other: OrderView = await this.queries.execute(new GetOrderQuery(otherId, { timeline: false }));
    const otherGone = (other.status === 'CANCELED' || other.status === 'REJECTED') && dec(other.filled).isZero();
    if (!otherGone) return;
    await this.fail(
      row,
      `the order list was ${status === 'REJECTED' ? 'rejected' : 'cancelled outside tradedesk'} (orders ${orderId}, ${otherId})`,
    );
  }

  /** DELETE on a native bracket: cancels the list at the exchange through the orders lib, then CANCELLED. */
  async cancel(row: ConditionOrmEntity): Promise<void> {
    const marked = await this.uow.run((tx) => compareAndSet(tx, row.id, ['ARMED'], row.version, { firedLeg: CANCELLING }));
    if (!marked)
      throw new ConflictError('CONDITION.NOT_CANCELLABLE', `Condition ${row.id} changed meanwhile; try again`, { conditionId: row.id });
    const current = (await this.load(row.id)) ?? row;
    const legs = [current.stopOrderId, current.takeProfitOrderId].filter((id): id is string => !!id);
    try {
      const live = [];
      for (const id of legs) {
        const order: OrderView = await this.queries.execute(new GetOrderQuery(id, { timeline: false }));
        if (!orderEnded(order.status)) live.push(order);
      }
      // One leg is enough: the exchange cancels the whole list; the orders lib records both.
      if (live.length > 0) await this.commands.execute(new CancelOrderCommand(live[0].id, 'condition-cancelled'));
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        await this.uow.run((tx) => compareAndSet(tx, row.id, ['ARMED'], undefined, { firedLeg: null }));
        throw error;
      }
    }
    const filled: OrderView[] = [];
    for (const id of legs) {
      const order: OrderView = await this.queries.execute(new GetOrderQuery(id, { timeline: false }));
      if (dec(order.filled).gt(0)) filled.push(order);
    }
    if (filled.length > 0) {
      // A leg executed before the cancel reached the exchange: the bracket did its job.
      await this.uow.run((tx) => compareAndSet(tx, row.id, ['ARMED'], undefined, { firedLeg: null }));
      await this.settle(filled[0].id, 'FILLED', filled[0].filled);
      throw new ConflictError('CONDITION.NOT_CANCELLABLE', `Condition ${row.id}: a leg of its order list already executed`, {
        conditionId: row.id,
      });
    }
    await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, ['ARMED'], undefined, { status: 'CANCELLED', firedLeg: null }))) return;
      await appendTimeline(tx, row.id, [
        { event: 'cancelled', status: 'CANCELLED', details: { cause: 'api', placement: 'native', orderIds: legs } },
      ]);
    });
    // The placing intent may have recorded its list between the read above and the cancel: that list goes too.
    const after = await this.load(row.id);
    if (!current.stopOrderId && after?.stopOrderId) {
      await this.commands.execute(new CancelOrderCommand(after.stopOrderId, 'condition-cancelled')).catch(() => undefined);
    }
  }

  /** Catch-up for legs that ended while no event reached this process (run with the scheduler's straggler pass). */
  async settleStragglers(): Promise<number> {
    const rows = await this.uow.run(({ manager }) =>
      manager.find(ConditionOrmEntity, {
        where: { status: 'ARMED', placement: 'native', stopOrderId: Not(IsNull()) },
        select: { id: true, stopOrderId: true, takeProfitOrderId: true },
      }),
    );
    let settled = 0;
    for (const row of rows) {
      for (const id of [row.stopOrderId!, row.takeProfitOrderId!]) {
        const order: OrderView = await this.queries.execute(new GetOrderQuery(id, { timeline: false }));
        if (!orderEnded(order.status)) continue;
        await this.settle(order.id, order.status, order.filled);
        settled++;
      }
    }
    return settled;
  }

  private async load(id: string): Promise<ConditionOrmEntity | null> {
    return this.uow.run(({ manager }) => manager.findOne(ConditionOrmEntity, { where: { id } }));
  }

  private async fail(row: ConditionOrmEntity, reason: string): Promise<void> {
    this.logger.error(`native bracket ${row.id} failed: ${reason}`);
    await this.uow.run(async (tx) => {
      if (!(await compareAndSet(tx, row.id, ['ARMED'], undefined, { status: 'FAILED', failureReason: reason.slice(0, 2000) }))) return;
      await appendTimeline(tx, row.id, [{ event: 'failed', status: 'FAILED', details: { reason, placement: 'native' } }]);
      tx.publish(ConditionEngine.failedEvent(row, reason));
    });
  }
}
