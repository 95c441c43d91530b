import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  AuthenticationFailed,
  ExchangeGateways,
  type ExchangeGateway,
  type ExchangeOrder,
  type ExchangeOrderList,
  ExchangeRateLimited,
  type ExchangeTrade,
  InsufficientFunds,
  InvalidOrder,
  OrderNotFound,
  type RequestLane,
} from '@tradedesk/exchanges';
import { Outbox, type OutboxMessage, RetryLater, type TransactionScope, UnitOfWork } from '@tradedesk/shared';
import { isProtectivePurpose, isTerminal, NEVER_RECEIVED_REASON, type OrderPurpose } from '../domain/order-status.js';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { OrderLedger } from './order-ledger.js';

export const SUBMIT_TOPIC = 'orders.submit';
export const RESOLVE_TOPIC = 'orders.resolve';

/** Lookups by client order id before an UNKNOWN order is flagged for a human: ~0.5 s … 16 s apart. */
export const MAX_RESOLVE_ATTEMPTS = 6;
const resolveDelayMs = (attempt: number) => Math.min(16_000, 500 * 2 ** attempt);

/** What a send came back with: the exchange's answer and the order's fills, or the error. */
export type SendOutcome = { sent: true; snapshot: ExchangeOrder; trades: ExchangeTrade[] | undefined } | { sent: false; error: unknown };

export function laneOf(purpose: OrderPurpose): RequestLane {
  return isProtectivePurpose(purpose) ? 'protective' : 'order';
}

/** How long the poller leaves a fresh submission to the process that placed it. */
const INLINE_SUBMISSION_GRACE_MS = 5_000;

/**
 * The outbox options of an order's submit message, written with the order: protective work first,
 * and not due for the poller until the placing process has had its chance to send it itself.
 */
export function submitMessageOptions(purpose: OrderPurpose, createdAt: Date): { priority: number; availableAt: Date } {
  return { priority: isProtectivePurpose(purpose) ? 0 : 50, availableAt: new Date(createdAt.getTime() + INLINE_SUBMISSION_GRACE_MS) };
}

/**
 * Sends orders to their exchange exactly once. A submission is marked as started (committed)
 * before the exchange call, so a redelivered outbox message or a restart never sends it again:
 * it looks the order up by client order id instead.
 */
@Injectable()
export class OrderSubmission implements OnModuleInit {
  private readonly logger = new Logger(OrderSubmission.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly gateways: ExchangeGateways,
    private readonly ledger: OrderLedger,
  ) {}

  onModuleInit(): void {
    this.outbox.register(SUBMIT_TOPIC, (m) => this.submit(m));
    this.outbox.register(RESOLVE_TOPIC, (m) => this.resolve(m));
  }

  private async submit(message: OutboxMessage): Promise<void> {
    const orderId = String(message.payload.orderId);
    const claimed = await this.uow.run(async (tx) => {
      const order = await this.ledger.lock(tx.manager, orderId);
      if (!order || order.status !== 'PENDING') return undefined;
      // One leg of an order list: the list is claimed and sent as a whole.
      if (order.listClientOrderId) return order.listClientOrderId;
      if (order.submittedAt) {
        await this.markInterrupted(tx, order, 'submission');
        return undefined;
      }
      order.submittedAt = new Date();
      order.updatedAt = order.submittedAt;
      await tx.manager.save(order);
      await this.ledger.appendTimeline(tx.manager, order, 'submitted', 'submission');
      return order;
    });
    if (!claimed) return;
    if (typeof claimed === 'string') return this.submitList(claimed);
    const sent = await this.send(claimed);
    if (!sent.sent) return this.onSubmissionError(claimed, sent.error);
    await this.ledger.applySnapshot(claimed.id, sent.snapshot, 'submission', sent.trades);
  }

  /**
   * The exchange call of a submission marked started (committed), without recording anything:
   * its answer (and fills), or the error it ended in. Only the process that marked it may call
   * this, once: anyone else finding it started looks it up.
   */
  async send(claimed: OrderOrmEntity): Promise<SendOutcome> {
    const gateway = await this.gateways.forAccount(claimed.accountId);
    let snapshot: ExchangeOrder;
    try {
      snapshot = await gateway.createOrder(
        {
          symbol: claimed.symbol,
          side: claimed.side,
          type: claimed.type,
          clientOrderId: claimed.clientOrderId,
          ...(claimed.amount ? { amount: claimed.amount } : {}),
          ...(claimed.requestedCost ? { cost: claimed.requestedCost } : {}),
          ...(claimed.price ? { price: claimed.price } : {}),
        },
        { lane: laneOf(claimed.purpose) },
      );
    } catch (error) {
      return { sent: false, error };
    }
    await this.gateways.invalidateBalances(claimed.accountId);
    return { sent: true, snapshot, trades: await fillsOf(gateway, claimed, snapshot) };
  }

  /**
   * Sends an order list (a native OCO sell) in one exchange call: both legs are marked started in
   * one transaction first, so a redelivery or a restart looks each leg up by its client order id
   * instead of sending the list again.
   */
  private async submitList(listClientOrderId: string): Promise<void> {
    const claimed = await this.uow.run(async (tx) => {
      const legs = await this.ledger.lockList(tx.manager, listClientOrderId);
      if (legs.length !== 2 || legs.some((leg) => leg.status !== 'PENDING')) return undefined;
      if (legs.some((leg) => leg.submittedAt)) {
        for (const leg of legs) await this.markInterrupted(tx, leg, 'submission');
        return undefined;
      }
      const now = new Date();
      for (const leg of legs) {
        leg.submittedAt = now;
        leg.updatedAt = now;
        await tx.manager.save(leg);
        await this.ledger.appendTimeline(tx.manager, leg, 'submitted', 'submission', { listClientOrderId });
      }
      return legs;
    });
    if (!claimed) return;
    const stop = claimed.find((leg) => leg.legType !== 'limit_maker')!;
    const takeProfit = claimed.find((leg) => leg.legType === 'limit_maker')!;
    const gateway = await this.gateways.forAccount(stop.accountId);
    let list: ExchangeOrderList;
    try {
      if (!gateway.createOcoSell)
        throw new InvalidOrder(`${gateway.exchange} cannot place an OCO order list`, { exchange: gateway.exchange });
      list = await gateway.createOcoSell(
        {
          symbol: stop.symbol,
          amount: stop.amount!,
          listClientOrderId,
          takeProfit: { price: takeProfit.price!, clientOrderId: takeProfit.clientOrderId },
          stopLoss: {
            stopPrice: stop.stopPrice!,
            ...(stop.legType === 'stop_loss_limit' ? { price: stop.price! } : {}),
            clientOrderId: stop.clientOrderId,
          },
        },
        { lane: laneOf(stop.purpose) },
      );
    } catch (error) {
      await this.onListSubmissionError(claimed, error);
      return;
    }
    await this.uow.run(({ manager }) => manager.update(OrderOrmEntity, { listClientOrderId }, { exchangeListId: list.exchangeListId }));
    await this.gateways.invalidateBalances(stop.accountId);
    for (const [leg, snapshot] of [
      [stop, list.stopLoss],
      [takeProfit, list.takeProfit],
    ] as const) {
      const trades = await fillsOf(gateway, leg, snapshot);
      await this.ledger.applySnapshot(leg.id, snapshot, 'submission', trades);
    }
  }

  private async onListSubmissionError(legs: OrderOrmEntity[], error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ExchangeRateLimited) {
      // Refused before execution: safe to send the list again once the window passes.
      await this.uow.run(async (tx) => {
        for (const leg of legs) {
          const row = await this.ledger.lock(tx.manager, leg.id);
          if (!row || row.status !== 'PENDING') continue;
          row.submittedAt = null;
          await tx.manager.save(row);
          await this.ledger.appendTimeline(tx.manager, row, 'rate-limited', 'submission', { reason });
        }
      });
      throw new RetryLater(reason, error.retryAfterMs ?? 1000);
    }
    await this.uow.run(async (tx) => {
      for (const leg of legs) {
        const row = await this.ledger.lock(tx.manager, leg.id);
        if (!row || isTerminal(row.status)) continue;
        if (error instanceof InvalidOrder || error instanceof InsufficientFunds || error instanceof AuthenticationFailed) {
          await this.ledger.markRejected(tx, row, 'submission', reason, { code: error.code, ...(error.details ?? {}) });
          continue;
        }
        // The list may have reached the exchange: each leg is looked up by its client order id.
        this.logger.warn(`order list leg ${row.id} (${row.clientOrderId}) outcome unknown: ${reason}`);
        await this.ledger.markUnknown(tx, row, 'submission', reason, false);
        await this.scheduleResolve(tx, row.id, 0);
      }
    });
  }

  /**
   * A submission that started (`submittedAt`) but left no outcome — the process died in between —
   * may have reached the exchange: it becomes UNKNOWN and is looked up, never sent again.
   */
  async markInterrupted(tx: TransactionScope, order: OrderOrmEntity, cause: string): Promise<void> {
    await this.ledger.markUnknown(tx, order, cause, 'submission interrupted before its outcome was recorded', false);
    await this.outbox.enqueue(tx, RESOLVE_TOPIC, { orderId: order.id }, { priority: 0 });
  }

  /** Records a failed send: rejected, retried later (rate limit, nothing executed) or UNKNOWN and looked up. */
  async onSubmissionError(order: OrderOrmEntity, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ExchangeRateLimited) {
      // Refused before execution: safe to send again once the window passes.
      await this.uow.run(async (tx) => {
        const row = await this.ledger.lock(tx.manager, order.id);
        if (!row || row.status !== 'PENDING') return;
        row.submittedAt = null;
        await tx.manager.save(row);
        await this.ledger.appendTimeline(tx.manager, row, 'rate-limited', 'submission', { reason });
      });
      throw new RetryLater(reason, error.retryAfterMs ?? 1000);
    }
    await this.uow.run(async (tx) => {
      const row = await this.ledger.lock(tx.manager, order.id);
      if (!row || isTerminal(row.status)) return;
      if (error instanceof InvalidOrder || error instanceof InsufficientFunds || error instanceof AuthenticationFailed) {
        await this.ledger.markRejected(tx, row, 'submission', reason, { code: error.code, ...(error.details ?? {}) });
        return;
      }
      // Timeout, 5xx, -1007, connection reset: the exchange may have executed it.
      this.logger.warn(`order ${row.id} (${row.clientOrderId}) outcome unknown: ${reason}`);
      await this.ledger.markUnknown(tx, row, 'submission', reason, false);
      await this.scheduleResolve(tx, row.id, 0);
    });
  }

  private async scheduleResolve(tx: TransactionScope, orderId: string, attempt: number): Promise<void> {
    await this.outbox.enqueue(tx, RESOLVE_TOPIC, { orderId }, { priority: 0, availableAt: new Date(Date.now() + resolveDelayMs(attempt)) });
  }

  /** Brings an UNKNOWN order to its true state by looking it up by client order id. */
  private async resolve(message: OutboxMessage): Promise<void> {
    const orderId = String(message.payload.orderId);
    const order = await this.uow.run((tx) => this.ledger.lock(tx.manager, orderId));
    if (!order || order.status !== 'UNKNOWN') return;
    const gateway = await this.gateways.forAccount(order.accountId);
    const outcome = await lookUp(gateway, order);
    if (outcome.kind === 'found') {
      const trades = await fillsOf(gateway, order, outcome.snapshot);
      await this.ledger.applySnapshot(orderId, outcome.snapshot, 'resolution', trades);
      await this.gateways.invalidateBalances(order.accountId);
      return;
    }
    await this.uow.run(async (tx) => {
      const row = await this.ledger.lock(tx.manager, orderId);
      if (!row || row.status !== 'UNKNOWN') return;
      row.resolveAttempts += 1;
      const exhausted = row.resolveAttempts >= MAX_RESOLVE_ATTEMPTS;
      if (outcome.kind === 'absent' && exhausted) {
        // Looked up again and again by its client id: the exchange never received it.
        await this.ledger.markRejected(tx, row, 'resolution', NEVER_RECEIVED_REASON);
        return;
      }
      if (exhausted) {
        await this.ledger.markUnknown(tx, row, 'resolution', outcome.reason, true);
        return;
      }
      await tx.manager.save(row);
      await this.ledger.appendTimeline(tx.manager, row, 'lookup', 'resolution', {
        attempt: row.resolveAttempts,
        result: outcome.kind,
        reason: outcome.reason,
      });
      await this.scheduleResolve(tx, orderId, row.resolveAttempts);
    });
  }
}

export type LookupOutcome =
  { kind: 'found'; snapshot: ExchangeOrder } | { kind: 'absent'; reason: string } | { kind: 'unreachable'; reason: string };

/** Fetches an order by exchange id when known, else by client order id. */
export async function lookUp(
  gateway: ExchangeGateway,
  order: OrderOrmEntity,
  lane: RequestLane = laneOf(order.purpose),
): Promise<LookupOutcome> {
  try {
    const snapshot = order.exchangeOrderId
      ? await gateway.fetchOrder(order.symbol, order.exchangeOrderId, { lane })
      : await gateway.fetchOrderByClientOrderId(order.symbol, order.clientOrderId, { lane });
    return { kind: 'found', snapshot };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return error instanceof OrderNotFound ? { kind: 'absent', reason } : { kind: 'unreachable', reason };
  }
}

/**
 * The order's own fills when the snapshot lacks fee facts (Binance reports commissions only on
 * trades): fetched once per change of the filled amount.
 */
export async function fillsOf(
  gateway: ExchangeGateway,
  order: OrderOrmEntity,
  snapshot: ExchangeOrder,
): Promise<ExchangeTrade[] | undefined> {
  if (snapshot.trades?.length || snapshot.fee || !snapshot.filled.gt(order.filled)) return snapshot.trades;
  try {
    const since = new Date(order.createdAt.getTime() - 60_000);
    const trades = await gateway.fetchMyTrades(order.symbol, since, { lane: laneOf(order.purpose) });
    return trades.filter((t) => t.orderId === snapshot.exchangeOrderId);
  } catch {
    return undefined;
  }
}
