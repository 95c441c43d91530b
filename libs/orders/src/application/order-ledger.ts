import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ExchangeOrder, ExchangeTrade } from '@tradedesk/exchanges';
import { Decimal, insertRows, selectRows, type TransactionScope, UnitOfWork, updateRow, ZERO } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import {
  OrderAcceptedEvent,
  OrderCanceledEvent,
  type OrderFacts,
  OrderFilledEvent,
  OrderOutcomeUnknownEvent,
  OrderPartiallyFilledEvent,
  OrderRejectedEvent,
  PositionChangedEvent,
  PositionClosedEvent,
} from '../domain/order.events.js';
import { isTerminal, type OrderStatus } from '../domain/order-status.js';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { conditionOfKey } from './position-room.js';
import { OrderTimelineOrmEntity } from '../infrastructure/persistence/order-timeline.orm-entity.js';
import { type HeldPosition, PositionRepository, positionKey } from '../infrastructure/persistence/position.repository.js';
import { TradeOrmEntity } from '../infrastructure/persistence/trade.orm-entity.js';

export function orderFacts(o: OrderOrmEntity): OrderFacts {
  return {
    orderId: o.id,
    accountId: o.accountId,
    exchange: o.exchange,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    clientOrderId: o.clientOrderId,
    exchangeOrderId: o.exchangeOrderId ?? undefined,
    purpose: o.purpose,
    ...(o.listClientOrderId ? { listClientOrderId: o.listClientOrderId } : {}),
    ...(conditionOfKey(o.idempotencyKey) ? { conditionId: conditionOfKey(o.idempotencyKey) } : {}),
    ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
    filled: o.filled.toFixed(),
    average: o.average?.toFixed(),
    cost: o.cost.toFixed(),
    fee: o.fee?.toFixed(),
    feeCurrency: o.feeCurrency ?? undefined,
  };
}

function statusOf(snapshot: ExchangeOrder): OrderStatus {
  switch (snapshot.status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
    case 'expired':
      return 'CANCELED';
    case 'rejected':
      return 'REJECTED';
    default:
      return snapshot.filled.gt(0) ? 'PARTIALLY_FILLED' : 'OPEN';
  }
}

const RANK: Record<OrderStatus, number> = { PENDING: 0, UNKNOWN: 0, OPEN: 1, PARTIALLY_FILLED: 2, FILLED: 3, CANCELED: 3, REJECTED: 3 };

/** Whether applying `snapshot` would change `order` (a tracking pass skips the write when not). */
export function snapshotChanges(order: OrderOrmEntity, snapshot: ExchangeOrder): boolean {
  return order.exchangeOrderId !== snapshot.exchangeOrderId || statusOf(snapshot) !== order.status || !snapshot.filled.eq(order.filled);
}

/**
 * The only writer of an order's state after it is placed: applies what the exchange reports,
 * records new fills once, appends the timeline and publishes the events after commit.
 */
@Injectable()
export class OrderLedger {
  constructor(private readonly uow: UnitOfWork) {}

  /** Loads the order row for update (row lock on PostgreSQL; SQLite writers are serialized). */
  async lock(manager: EntityManager, orderId: string): Promise<OrderOrmEntity | null> {
    return (await this.lockMany(manager, [orderId])).get(orderId) ?? null;
  }

  /** Loads orders for update in id order (one statement), by id; the order every writer locks in. */
  async lockMany(manager: EntityManager, orderIds: readonly string[]): Promise<Map<string, OrderOrmEntity>> {
    const orders = await selectRows(manager, OrderOrmEntity, {
      where: { id: [...orderIds] },
      orderBy: { property: 'id', direction: 'ASC' },
      forUpdate: true,
    });
    return new Map(orders.map((o) => [o.id, o]));
  }

  /** Loads every leg of an order list for update, stop leg first. */
  async lockList(manager: EntityManager, listClientOrderId: string): Promise<OrderOrmEntity[]> {
    const query = manager
      .createQueryBuilder(OrderOrmEntity, 'o')
      .where('o.listClientOrderId = :listClientOrderId', { listClientOrderId })
      .orderBy('o.legType', 'DESC');
    if (manager.dataSource.options.type === 'postgres') query.setLock('pessimistic_write');
    return query.getMany();
  }

  async appendTimeline(
    manager: EntityManager,
    order: OrderOrmEntity,
    event: string,
    cause: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await manager.insert(OrderTimelineOrmEntity, timelineRow(order, event, cause, details));
  }

  /** Applies an exchange snapshot; `trades` are the order's fills when the caller fetched them. */
  async applySnapshot(orderId: string, snapshot: ExchangeOrder, cause: string, trades?: ExchangeTrade[]): Promise<void> {
    await this.applySnapshots([{ orderId, snapshot, cause, ...(trades ? { trades } : {}) }]);
  }

  /**
   * Applies several snapshots in one transaction (the answers to a batch of submissions): one
   * commit for all of them. Each order is still locked and applied exactly as `applySnapshot` does.
   */
  async applySnapshots(
    items: ReadonlyArray<{ orderId: string; snapshot: ExchangeOrder; cause: string; trades?: ExchangeTrade[] }>,
    /** More work for the same transaction (e.g. marking the submissions' outbox messages done). */
    alsoInside?: (tx: TransactionScope) => Promise<void>,
  ): Promise<void> {
    if (items.length === 0) return;
    // Locks in one order for every writer: the orders by id, then their positions by key.
    const sorted = [...items].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
    await this.uow.run(async (tx) => {
      const locked = await this.lockMany(tx.manager, [...new Set(sorted.map((i) => i.orderId))]);
      const orders = sorted.map((item) => {
        const order = locked.get(item.orderId);
        if (!order) throw new Error(`order ${item.orderId} vanished`);
        return order;
      });
      const positions = await PositionRepository.lock(tx.manager, orders);
      // Per position moved by new fills, the last order that moved it: the one that closed it, if it closed.
      const changed = new Map<string, OrderOrmEntity>();
      // New fills and timeline lines of the whole batch go in one statement per table at the end;
      // an order answered twice in one batch reads its fills, so what it wrote is written first.
      const rows = new PendingRows();
      const applied = new Set<string>();
      for (const [i, item] of sorted.entries()) {
        const order = orders[i];
        if (applied.has(order.id)) await rows.write(tx.manager);
        applied.add(order.id);
        const position = positions.get(positionKey(order))!;
        if (await this.applyInside(tx, rows, order, position, item.snapshot, item.cause, item.trades))
          changed.set(positionKey(order), order);
      }
      await rows.write(tx.manager);
      for (const [key, order] of changed) {
        const { closed } = await PositionRepository.save(tx.manager, positions.get(key)!, { cause: 'fill', orderId: order.id });
        if (closed)
          tx.publish(
            new PositionClosedEvent({
              accountId: order.accountId,
              exchange: order.exchange,
              symbol: order.symbol,
              ...closed,
              closingOrder: orderFacts(order),
            }),
          );
      }
      await alsoInside?.(tx);
    });
  }

  /** Applies one snapshot to a locked order and its locked position; true when new fills moved the position. */
  private async applyInside(
    tx: TransactionScope,
    rows: PendingRows,
    order: OrderOrmEntity,
    position: HeldPosition,
    snapshot: ExchangeOrder,
    cause: string,
    trades?: ExchangeTrade[],
  ): Promise<boolean> {
    const { manager } = tx;
    const before = order.status;
    const next = statusOf(snapshot);
    const filledBefore = order.filled;
    const recorded = await this.recordFills(manager, rows, order, position, snapshot, trades ?? snapshot.trades);

    if (!order.exchangeOrderId) order.exchangeOrderId = snapshot.exchangeOrderId;
    // Cumulative figures only grow; a stale snapshot never takes back a fill.
    if (snapshot.filled.gte(order.filled)) takeCumulativeFigures(order, snapshot, recorded);
    const statusChanges = !isTerminal(before) && (RANK[next] > RANK[before] || before === 'UNKNOWN' || before === 'PENDING');
    if (statusChanges) {
      order.status = next;
      order.needsAttention = false;
    }
    order.updatedAt = new Date();
    // One UPDATE of what a snapshot changes (it bumps the version): save() would read the row
    // before writing it and again after (bench/orders, issue 14).
    await updateRow(manager, OrderOrmEntity, order.id, {
      exchangeOrderId: order.exchangeOrderId,
      filled: order.filled,
      cost: order.cost,
      average: order.average,
      fee: order.fee,
      feeCurrency: order.feeCurrency,
      status: order.status,
      needsAttention: order.needsAttention,
      updatedAt: order.updatedAt,
    });
    order.version += 1;

    if (recorded.count > 0 || order.filled.gt(filledBefore)) {
      rows.timeline.push(
        timelineRow(order, 'fill', cause, {
          filled: order.filled.toFixed(),
          average: order.average?.toFixed(),
          newFills: recorded.count,
        }),
      );
    }
    if (statusChanges && next !== before) this.tellStatus(tx, rows, order, snapshot, cause);
    else if (recorded.count > 0 && next === 'PARTIALLY_FILLED') tx.publish(new OrderPartiallyFilledEvent(orderFacts(order)));
    if (recorded.count > 0) tx.publish(new PositionChangedEvent(order.accountId, order.symbol));
    return recorded.count > 0;
  }

  /** A new status on the order's timeline, and the event that tells it. */
  private tellStatus(tx: TransactionScope, rows: PendingRows, order: OrderOrmEntity, snapshot: ExchangeOrder, cause: string): void {
    const next = order.status;
    rows.timeline.push(
      timelineRow(order, next.toLowerCase(), cause, {
        exchangeOrderId: snapshot.exchangeOrderId,
        exchangeStatus: snapshot.exchangeState,
      }),
    );
    const facts = orderFacts(order);
    if (next === 'OPEN') tx.publish(new OrderAcceptedEvent(facts));
    if (next === 'PARTIALLY_FILLED') tx.publish(new OrderPartiallyFilledEvent(facts));
    if (next === 'FILLED') tx.publish(new OrderFilledEvent(facts));
    if (next === 'CANCELED') tx.publish(new OrderCanceledEvent(facts, cause));
    if (next === 'REJECTED') tx.publish(new OrderRejectedEvent(facts, 'rejected by the exchange'));
  }

  /** Marks an order whose submission outcome is unknown. */
  async markUnknown(tx: TransactionScope, order: OrderOrmEntity, cause: string, reason: string, needsAttention: boolean): Promise<void> {
    const changed = order.status !== 'UNKNOWN' || order.needsAttention !== needsAttention;
    order.status = 'UNKNOWN';
    order.needsAttention = needsAttention;
    order.updatedAt = new Date();
    await tx.manager.save(order);
    if (changed) {
      await this.appendTimeline(tx.manager, order, needsAttention ? 'needs-attention' : 'outcome-unknown', cause, { reason });
      tx.publish(new OrderOutcomeUnknownEvent(orderFacts(order), needsAttention));
    }
  }

  async markRejected(
    tx: TransactionScope,
    order: OrderOrmEntity,
    cause: string,
    reason: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    order.status = 'REJECTED';
    order.rejectReason = reason;
    order.needsAttention = false;
    order.updatedAt = new Date();
    await tx.manager.save(order);
    await this.appendTimeline(tx.manager, order, 'rejected', cause, { reason, ...details });
    tx.publish(new OrderRejectedEvent(orderFacts(order), reason));
  }

  /**
   * Records fills not seen before. With the exchange's trades: one row per trade id. Without them:
   * one row for the increase of the cumulative figures, keyed by the cumulative amount, so the same
   * snapshot seen twice records nothing new. Never more than the order's filled amount in total.
   */
  private async recordFills(
    manager: EntityManager,
    pending: PendingRows,
    order: OrderOrmEntity,
    position: HeldPosition,
    snapshot: ExchangeOrder,
    trades: ExchangeTrade[] | undefined,
  ): Promise<{ count: number; fee: Decimal; feeCurrency?: string }> {
    const existing = await recordedFillsOf(manager, order);
    const known = new Set(existing.map((t) => t.tradeId));
    let recordedAmount = existing.reduce((sum, t) => sum.plus(t.amount), ZERO);
    let recordedCost = existing.reduce((sum, t) => sum.plus(t.amount.times(t.price)), ZERO);
    let recordedFee = existing.reduce((sum, t) => sum.plus(t.fee), ZERO);
    const rows: Partial<TradeOrmEntity>[] = [];
    let fee = ZERO;
    let feeCurrency: string | undefined;
    const exchangeOrderId = snapshot.exchangeOrderId;
    for (const trade of trades ?? []) {
      if (known.has(trade.tradeId) || recordedAmount.plus(trade.amount).gt(snapshot.filled)) continue;
      rows.push(this.tradeRow(order, trade.tradeId, trade.price, trade.amount, trade.fee, trade.feeCurrency, trade.timestamp));
      known.add(trade.tradeId);
      recordedAmount = recordedAmount.plus(trade.amount);
      recordedCost = recordedCost.plus(trade.amount.times(trade.price));
      recordedFee = recordedFee.plus(trade.fee);
      fee = fee.plus(trade.fee);
      feeCurrency = trade.feeCurrency ?? feeCurrency;
    }
    const shared = shareReportedFee(rows, snapshot, recordedFee);
    if (shared.gt(0)) {
      recordedFee = recordedFee.plus(shared);
      fee = fee.plus(shared);
      feeCurrency = feeCurrency ?? snapshot.fee?.currency;
    }
    const missing = snapshot.filled.minus(recordedAmount);
    if (missing.gt(0)) {
      const totalCost = snapshot.cost.gt(0) ? snapshot.cost : (snapshot.average?.times(snapshot.filled) ?? ZERO);
      const price = totalCost.minus(recordedCost).div(missing);
      const deltaFee = Decimal.max(ZERO, (snapshot.fee?.cost ?? ZERO).minus(recordedFee));
      const tradeId = `${exchangeOrderId}#${snapshot.filled.toFixed()}`;
      if (!known.has(tradeId) && price.gt(0)) {
        rows.push(this.tradeRow(order, tradeId, price, missing, deltaFee, snapshot.fee?.currency, new Date()));
        fee = fee.plus(deltaFee);
        feeCurrency = snapshot.fee?.currency ?? feeCurrency;
      }
    }
    // The position takes each new fill in the same transaction; a sell beyond it is marked untracked.
    for (const row of rows) {
      const { untracked } = position.book.apply({
        side: row.side!,
        price: row.price!,
        amount: row.amount!,
        fee: row.fee!,
        ...(row.feeCurrency ? { feeCurrency: row.feeCurrency } : {}),
      });
      row.untracked = untracked.gt(0) ? untracked : null;
    }
    pending.trades.push(...(rows as QueryDeepPartialEntity<TradeOrmEntity>[]));
    return { count: rows.length, fee, feeCurrency };
  }

  private tradeRow(
    order: OrderOrmEntity,
    tradeId: string,
    price: Decimal,
    amount: Decimal,
    fee: Decimal,
    feeCurrency: string | undefined,
    timestamp: Date,
  ): Partial<TradeOrmEntity> {
    return {
      id: randomUUID(),
      accountId: order.accountId,
      orderId: order.id,
      tradeId,
      symbol: order.symbol,
      side: order.side,
      price,
      amount,
      fee,
      feeCurrency: feeCurrency ?? null,
      timestamp,
      recordedAt: new Date(),
    };
  }
}

/** Rows a batch of snapshots adds, written once per table (multi-row statements) before the transaction ends. */
class PendingRows {
  readonly trades: QueryDeepPartialEntity<TradeOrmEntity>[] = [];
  readonly timeline: QueryDeepPartialEntity<OrderTimelineOrmEntity>[] = [];

  async write(manager: EntityManager): Promise<void> {
    // Fills before the timeline lines that tell them; each list in the order it was added (ids ascend with it).
    await insertRows(manager, TradeOrmEntity, this.trades.splice(0));
    await insertRows(manager, OrderTimelineOrmEntity, this.timeline.splice(0));
  }
}

/** One line of an order's timeline, as the order stands now. */
export function timelineRow(
  order: OrderOrmEntity,
  event: string,
  cause: string,
  details?: Record<string, unknown>,
): QueryDeepPartialEntity<OrderTimelineOrmEntity> {
  return { orderId: order.id, at: new Date(), event, status: order.status, cause, details: details ? JSON.stringify(details) : null };
}

/** The snapshot's cumulative figures taken over; the fee from the snapshot, else from the fills just recorded. */
function takeCumulativeFigures(
  order: OrderOrmEntity,
  snapshot: ExchangeOrder,
  recorded: { count: number; fee: Decimal; feeCurrency?: string },
): void {
  order.filled = snapshot.filled;
  order.cost = snapshot.cost.gt(0) ? snapshot.cost : (snapshot.average?.times(snapshot.filled) ?? order.cost);
  order.average = snapshot.average ?? (snapshot.filled.gt(0) ? order.cost.div(snapshot.filled) : order.average);
  if (snapshot.fee) {
    order.fee = snapshot.fee.cost;
    order.feeCurrency = snapshot.fee.currency ?? order.feeCurrency;
  } else if (recorded.fee.gt(0) || (order.fee === null && recorded.count > 0)) {
    order.fee = (order.fee ?? ZERO).plus(recorded.fee);
    order.feeCurrency = recorded.feeCurrency ?? order.feeCurrency;
  }
}

/**
 * Upbit lists an order's trades without fees and reports the fee on the order: the part of it no
 * recorded fill carries yet is shared out over the new rows by amount (the last takes the rest).
 * Returns the amount shared out.
 */
function shareReportedFee(rows: Partial<TradeOrmEntity>[], snapshot: ExchangeOrder, recordedFee: Decimal): Decimal {
  const reportedFee = snapshot.fee?.cost;
  if (!reportedFee || rows.length === 0 || !recordedFee.lt(reportedFee)) return ZERO;
  const unassigned = reportedFee.minus(recordedFee);
  const newAmount = rows.reduce((sum, r) => sum.plus(r.amount!), ZERO);
  let left = unassigned;
  rows.forEach((row, i) => {
    const share = i === rows.length - 1 ? left : unassigned.times(row.amount!).div(newAmount);
    row.fee = row.fee!.plus(share);
    row.feeCurrency = row.feeCurrency ?? snapshot.fee?.currency ?? null;
    left = left.minus(share);
  });
  return unassigned;
}

/** The fills recorded so far. Nothing filled yet means nothing recorded yet (the recorded total never exceeds `filled`): no read. */
async function recordedFillsOf(
  manager: EntityManager,
  order: OrderOrmEntity,
): Promise<Array<Pick<TradeOrmEntity, 'tradeId' | 'amount' | 'price' | 'fee'>>> {
  if (order.filled.isZero()) return [];
  return manager.find(TradeOrmEntity, { where: { orderId: order.id }, select: { tradeId: true, amount: true, price: true, fee: true } });
}
