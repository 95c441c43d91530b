import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ExchangeGateways, type PlaceOrderRequest } from '@tradedesk/exchanges';
import { ConflictError, type Decimal, insertRows, Outbox, SerialDrain, type TransactionScope, UnitOfWork } from '@tradedesk/shared';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { OrderPlacedEvent } from '../domain/order.events.js';
import type { OrderPurpose } from '../domain/order-status.js';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { OrderTimelineOrmEntity } from '../infrastructure/persistence/order-timeline.orm-entity.js';
import { PositionRepository, positionKey } from '../infrastructure/persistence/position.repository.js';
import { AnswerRecorder } from './answer-recorder.js';
import { OrderLedger, orderFacts, timelineRow } from './order-ledger.js';
import {
  checkShape,
  clientOrderIdFor,
  type OrderSpec,
  pendingOrderRow,
  type PreparedOrder,
  requestHash,
  type StartedOrders,
} from './order-rows.js';
import { laneOf, OrderSubmission, SUBMIT_TOPIC, submitMessageOptions } from './order-submission.js';
import { type ClosedBy, closedBy, exitRoom } from './position-room.js';

export { clientOrderIdFor, type OrderSpec, pendingOrderRow, type PreparedOrder, requestHash, type StartedOrders } from './order-rows.js';

export interface PlacementOptions {
  idempotencyKey?: string;
  purpose?: OrderPurpose;
  cause?: string;
  /**
   * A sell out of the position (an exit, a liquidation): when it is recorded, its amount is capped
   * to what the position still holds, under the position's lock; with nothing left it is not
   * recorded at all (PositionClosedError). `referencePrice` values a market exit for the
   * minimum-notional rule when it shrinks.
   */
  positionExit?: { referencePrice?: Decimal };
}

/** A prepared exit that found its position sold (or held by other sells), with what sold it. */
export interface ClosedExit {
  order: PreparedOrder;
  closedBy: ClosedBy | undefined;
  reason: string;
}

/**
 * The steps of placing an order, for callers that place many at once inside their own transaction
 * (a tick's fired stops): check each one (`prepare`, no write), write them all with their
 * submission marked as started in the caller's transaction (`recordStarted`, multi-row
 * statements), then send them after commit (`sendStarted`). Marked started before the exchange
 * call and committed, an order is never sent twice: a crash before its send leaves it to be
 * looked up by client order id (and found absent), exactly as an interrupted single submission.
 */
@Injectable()
export class OrderPlacement {
  private readonly logger = new Logger(OrderPlacement.name);
  /** Answers of a tick's burst of exits: held while the rest of the burst is being sent. */
  private readonly answers: AnswerRecorder;
  /** Answers of orders whose request waits: written as soon as the previous batch committed. */
  private readonly directAnswers: AnswerRecorder;

  constructor(
    private readonly gateways: ExchangeGateways,
    private readonly outbox: Outbox,
    private readonly submission: OrderSubmission,
    private readonly uow: UnitOfWork,
    ledger: OrderLedger,
  ) {
    this.answers = new AnswerRecorder(ledger, outbox, this.logger);
    this.directAnswers = new AnswerRecorder(ledger, outbox, this.logger, 0);
  }

  /** Checks the shape, the account and the exchange's rules (may read balances); throws a DomainError when the order cannot go. */
  async prepare(spec: OrderSpec, options: PlacementOptions = {}): Promise<PreparedOrder> {
    checkShape(spec);
    const account = await this.gateways.describeAccount(spec.accountId);
    const id = randomUUID();
    const clientOrderId = clientOrderIdFor(id);
    const purpose = options.purpose ?? 'manual';
    // Exchange rules are checked locally first: an order that breaks one is never written nor sent.
    const normalized: PlaceOrderRequest = await this.gateways.validateOrder(
      spec.accountId,
      {
        symbol: spec.symbol,
        side: spec.side,
        type: spec.type,
        clientOrderId,
        ...(spec.amount ? { amount: spec.amount } : {}),
        ...(spec.cost ? { cost: spec.cost } : {}),
        ...(spec.price ? { price: spec.price } : {}),
      },
      // A stop-loss's balance check rides the protective lane, not behind ticker polls.
      { lane: laneOf(purpose) },
    );
    const key = options.idempotencyKey;
    const row = pendingOrderRow({
      id,
      accountId: account.id,
      exchange: account.exchange,
      symbol: normalized.symbol,
      side: normalized.side,
      type: normalized.type,
      amount: normalized.amount ?? null,
      requestedCost: normalized.cost ?? null,
      price: normalized.price ?? null,
      purpose,
      idempotencyKey: key ?? null,
      requestHash: key ? requestHash(spec) : null,
      createdAt: new Date(),
    });
    const exit = options.positionExit
      ? {
          rules: await this.gateways.orderRules(spec.accountId, normalized.symbol),
          ...(options.positionExit.referencePrice ? { referencePrice: options.positionExit.referencePrice } : {}),
        }
      : undefined;
    return { orderId: id, clientOrderId, row, cause: options.cause ?? 'api', ...(exit ? { exit } : {}) };
  }

  /**
   * Caps prepared exits to their positions inside the caller's transaction: locks each position
   * (so no other exit can take the same coins before commit), reads its room — the quantity less
   * the unfilled rest of its live sells — and gives it out in the order given. An exit larger than
   * what is left shrinks; one for which nothing (or less than the market's minimum) is left is
   * returned as closed and must not be recorded. Orders that are not exits pass through.
   */
  async fitExits(tx: TransactionScope, orders: readonly PreparedOrder[]): Promise<{ fitted: PreparedOrder[]; closed: ClosedExit[] }> {
    const exits = orders.filter((o) => o.exit);
    if (exits.length === 0) return { fitted: [...orders], closed: [] };
    const held = await PositionRepository.lock(
      tx.manager,
      exits.map((o) => o.row),
    );
    const room = new Map<string, Decimal>();
    for (const [key, position] of held) room.set(key, (await exitRoom(tx.manager, position.row, position.book.state().quantity)).available);
    const fitted: PreparedOrder[] = [];
    const closed: ClosedExit[] = [];
    for (const order of orders) {
      if (!order.exit) {
        fitted.push(order);
        continue;
      }
      const key = positionKey(order.row);
      const left = room.get(key)!;
      const amount = fitAmount(order, left);
      if (!amount) {
        const reason = left.gt(0) ? `position closed: the ${left.toFixed()} left is below the market's minimum order` : 'position closed';
        closed.push({ order, closedBy: await closedBy(tx.manager, order.row), reason });
        continue;
      }
      order.row.amount = amount;
      room.set(key, left.minus(amount));
      fitted.push(order);
    }
    return { fitted, closed };
  }

  /**
   * The one idempotency rule: a key belongs to the request it first came with. The same key with
   * the same request answers the order(s) recorded then; with another request, a 409.
   */
  async earlierOrder(key: string, hash: string): Promise<OrderOrmEntity | undefined> {
    const existing = await this.uow.autocommit((manager) =>
      manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true, requestHash: true, listClientOrderId: true } }),
    );
    if (existing && existing.requestHash !== hash)
      throw new ConflictError('ORDER.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body', {
        orderId: existing.id,
      });
    return existing ?? undefined;
  }

  /**
   * The one way a request's orders are born: `write` records them with their submission intent in
   * one transaction (answering the intent's id), then the submission starts at once (the outbox
   * covers a crash in between). Two requests racing with one key: the loser answers `replay()`.
   */
  async recordAndSubmit<T>(
    key: string | undefined,
    replay: () => Promise<T | undefined>,
    write: (tx: TransactionScope) => Promise<string>,
  ): Promise<T | 'recorded'> {
    let messageId: string;
    try {
      messageId = await this.uow.run(write);
    } catch (error) {
      if (key && isUniqueViolation(error)) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw error;
    }
    await this.outbox.dispatchNow(messageId);
    return 'recorded';
  }

  /**
   * The way a request's orders are born and sent: `write` returns the orders to record (after any
   * checks inside the transaction), which are written with their submission already marked as
   * started and a submit message claimed by this process — one commit — and sent right after it;
   * the request waits until their answers are recorded. A crash between that commit and the send
   * leaves orders that are looked up by client order id and never sent again (ADR 0400). Two
   * requests racing with one key: the loser answers `replay()`.
   */
  async recordAndSend<T>(
    key: string | undefined,
    replay: () => Promise<T | undefined>,
    write: (tx: TransactionScope) => Promise<readonly PreparedOrder[]>,
  ): Promise<T | 'recorded'> {
    let started: StartedOrders | undefined;
    try {
      // On SQLite, requests arriving together share one commit (each in its own savepoint).
      await this.uow.runGrouped(async (tx) => {
        started = await this.recordStarted(tx, await write(tx));
      });
    } catch (error) {
      // Rolled back: nothing of it exists, its claims are not renewed.
      if (started) this.abandon(started);
      if (key && isUniqueViolation(error)) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw error;
    }
    await this.sendWith(this.directAnswers, started!);
    return 'recorded';
  }

  /**
   * `recordAndSend` for one plain order (no Idempotency-Key, not an exit: nothing in its write can
   * fail on its own): orders of requests arriving together are written in one transaction, one
   * multi-row statement per table, with their submissions started and their submit messages
   * claimed; each is sent as soon as that commits. A batch that fails is written again order by
   * order, so one order's failure is its own.
   */
  async recordAndSendPlain(order: PreparedOrder): Promise<void> {
    const started = await new Promise<StartedOrders[number]>((resolve, reject) => {
      this.plainWaiting.push({ order, resolve, reject });
      this.plainWriting.kick();
    });
    await this.sendWith(this.directAnswers, [started]);
  }

  private readonly plainWaiting: Array<{
    order: PreparedOrder;
    resolve: (started: StartedOrders[number]) => void;
    reject: (error: unknown) => void;
  }> = [];
  private readonly plainWriting = new SerialDrain(
    () => this.writePlain(),
    () => this.plainWaiting.length > 0,
  );

  /** Writes the waiting plain orders a batch at a time, while more arrive (group commit). */
  private async writePlain(): Promise<void> {
    while (this.plainWaiting.length > 0) {
      const batch = this.plainWaiting.splice(0, PLAIN_ORDERS_PER_TRANSACTION);
      const attempt = async (items: typeof batch): Promise<void> => {
        let started: StartedOrders | undefined;
        try {
          await this.uow.run(async (tx) => {
            started = await this.recordStarted(
              tx,
              items.map((i) => i.order),
            );
          });
        } catch (error) {
          // Rolled back: nothing of it exists, its claims are not renewed.
          if (started) this.abandon(started);
          throw error;
        }
        items.forEach((item, i) => item.resolve(started![i]));
      };
      try {
        await attempt(batch);
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else for (const item of batch) await attempt([item]).catch((e: unknown) => item.reject(e));
      }
    }
  }

  /** Writes prepared orders as PENDING with their `placed` timeline lines (one statement each for all of them). */
  async record(tx: TransactionScope, orders: readonly PreparedOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await insertRows(
      tx.manager,
      OrderOrmEntity,
      orders.map((o) => o.row as QueryDeepPartialEntity<OrderOrmEntity>),
    );
    await insertRows(
      tx.manager,
      OrderTimelineOrmEntity,
      orders.flatMap((o) => [
        timelineRow(o.row, 'placed', o.cause, {
          amount: o.row.amount?.toFixed(),
          cost: o.row.requestedCost?.toFixed(),
          price: o.row.price?.toFixed(),
          // A leg of an order list says which and of which list.
          ...(o.row.listClientOrderId
            ? { listClientOrderId: o.row.listClientOrderId, legType: o.row.legType, stopPrice: o.row.stopPrice?.toFixed() }
            : {}),
        }),
        ...(o.row.submittedAt ? [timelineRow(o.row, 'submitted', 'submission')] : []),
      ]),
    );
    for (const o of orders) tx.publish(new OrderPlacedEvent(orderFacts(o.row)));
  }

  /**
   * Writes the orders with their submission already started, and a submit message for each that
   * this process holds while it sends them; all inside the caller's transaction.
   */
  async recordStarted(tx: TransactionScope, orders: readonly PreparedOrder[]): Promise<StartedOrders> {
    const now = new Date();
    for (const o of orders) o.row.submittedAt = now;
    await this.record(tx, orders);
    const messages = await this.outbox.enqueueClaimed(
      tx,
      SUBMIT_TOPIC,
      orders.map((o) => ({ payload: { orderId: o.orderId }, ...submitMessageOptions(o.row.purpose, now) })),
    );
    return orders.map((order, i) => ({ order, message: messages[i] }));
  }

  /**
   * After commit: sends every order of `started` at once (the rate governor paces them) and
   * records the answers together — whatever arrived while the previous batch was being written
   * goes into the next transaction (group commit). A failed send is recorded on its own, in an
   * outbox handler slot, as a single submission's would be. Resolves once all are recorded.
   */
  sendStarted(started: StartedOrders): Promise<void> {
    return this.sendWith(this.answers, started);
  }

  private async sendWith(answers: AnswerRecorder, started: StartedOrders): Promise<void> {
    await Promise.all(
      started.map(async ({ order, message }) => {
        const sent = answers.countSend();
        try {
          const outcome = await this.submission.send(order.row);
          sent();
          if (!outcome.sent) await this.outbox.runClaimed(message, () => this.submission.onSubmissionError(order.row, outcome.error));
          else await new Promise<void>((done) => answers.add({ at: Date.now(), order, message, outcome, done }));
        } catch (error) {
          // Not sent, or not known to be: its claim is let go, so when the lease runs out the submit
          // handler finds the submission started and looks the order up (it never sends it again).
          this.outbox.abandonClaimed([message]);
          this.logger.warn(`order ${order.orderId}: submission failed, left to the outbox: ${String(error)}`);
        } finally {
          sent();
        }
      }),
    );
  }

  /** The transaction that `recordStarted` wrote into rolled back: nothing of it exists. */
  abandon(started: StartedOrders): void {
    this.outbox.abandonClaimed(started.map((s) => s.message));
  }
}

/** Plain orders written per transaction at most (one multi-row statement per table). */
const PLAIN_ORDERS_PER_TRANSACTION = 100;

/** The amount an exit may have with `room` left of its position: its own, less, or none (undefined). */
function fitAmount(order: PreparedOrder, room: Decimal): Decimal | undefined {
  const wanted = order.row.amount!;
  if (wanted.lte(room)) return wanted;
  if (!room.gt(0)) return undefined;
  try {
    const row = order.row;
    const request = order.exit!.rules(
      {
        symbol: row.symbol,
        side: row.side,
        type: row.type,
        clientOrderId: row.clientOrderId,
        amount: room,
        ...(row.price ? { price: row.price } : {}),
      },
      order.exit!.referencePrice,
    );
    return request.amount;
  } catch {
    // Below the step, the minimum amount or the minimum order value: dust that cannot be sold.
    return undefined;
  }
}

/** A unique index refused the insert: here, an idempotency key another request recorded first. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(String((error as Error)?.message));
}
