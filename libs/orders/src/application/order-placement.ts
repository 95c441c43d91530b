import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ExchangeGateways, type OrderRules, type PlaceOrderRequest } from '@tradedesk/exchanges';
import { type ClaimedMessage, type Decimal, insertRows, Outbox, type TransactionScope, ValidationError, ZERO } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { OrderPlacedEvent } from '../domain/order.events.js';
import type { OrderPurpose } from '../domain/order-status.js';
import { OrderOrmEntity } from '../infrastructure/persistence/order.orm-entity.js';
import { OrderTimelineOrmEntity } from '../infrastructure/persistence/order-timeline.orm-entity.js';
import { PositionRepository, positionKey } from '../infrastructure/persistence/position.repository.js';
import { OrderLedger, orderFacts } from './order-ledger.js';
import { type ClosedBy, closedBy, exitRoom } from './position-room.js';
import { laneOf, OrderSubmission, type SendOutcome, SUBMIT_TOPIC, submitMessageOptions } from './order-submission.js';

export interface OrderSpec {
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
}

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

/** Binance `newClientOrderId` allows 36 characters of [A-Za-z0-9-_]; Upbit any string. */
export function clientOrderIdFor(orderId: string): string {
  return `td-${orderId.replace(/-/g, '')}`;
}

/** What an Idempotency-Key is bound to: a replay with another body is refused. */
export function requestHash(spec: OrderSpec): string {
  const canonical = JSON.stringify([
    spec.accountId,
    spec.symbol,
    spec.side,
    spec.type,
    spec.amount?.toFixed(),
    spec.cost?.toFixed(),
    spec.price?.toFixed(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function checkShape(spec: OrderSpec): void {
  if (spec.type === 'limit') {
    if (!spec.price) throw new ValidationError('ORDER.PRICE_REQUIRED', 'price: a limit order needs a price', { field: 'price' });
    if (!spec.amount) throw new ValidationError('ORDER.AMOUNT_REQUIRED', 'amount: a limit order needs an amount', { field: 'amount' });
    if (spec.cost) throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
  } else {
    if (spec.price) throw new ValidationError('ORDER.PRICE_NOT_ALLOWED', 'price: a market order takes no price', { field: 'price' });
    if (spec.cost && spec.side === 'sell')
      throw new ValidationError('ORDER.COST_NOT_ALLOWED', 'cost: only market buys can be sized by cost', { field: 'cost' });
    if (!spec.amount === !spec.cost) {
      throw new ValidationError('ORDER.AMOUNT_OR_COST', 'amount/cost: give exactly one of amount (base) or cost (quote, market buys)', {
        field: 'amount',
      });
    }
  }
  for (const field of ['amount', 'cost', 'price'] as const) {
    const value = spec[field];
    if (value && !value.gt(ZERO)) throw new ValidationError('REQUEST.VALIDATION_FAILED', `${field}: must be greater than 0`, { field });
  }
}

/**
 * A new order's row as it is first written: PENDING, its client order id derived from its id,
 * nothing filled and nothing known from the exchange yet.
 */
export function pendingOrderRow(
  fields: Pick<OrderOrmEntity, 'id' | 'accountId' | 'exchange' | 'symbol' | 'side' | 'type' | 'amount' | 'purpose' | 'createdAt'> &
    Partial<
      Pick<OrderOrmEntity, 'requestedCost' | 'price' | 'stopPrice' | 'legType' | 'listClientOrderId' | 'idempotencyKey' | 'requestHash'>
    >,
): OrderOrmEntity {
  return Object.assign(new OrderOrmEntity(), {
    requestedCost: null,
    price: null,
    stopPrice: null,
    legType: null,
    listClientOrderId: null,
    exchangeListId: null,
    clientOrderId: clientOrderIdFor(fields.id),
    exchangeOrderId: null,
    status: 'PENDING',
    filled: ZERO,
    cost: ZERO,
    average: null,
    fee: null,
    feeCurrency: null,
    submittedAt: null,
    resolveAttempts: 0,
    needsAttention: false,
    rejectReason: null,
    idempotencyKey: null,
    requestHash: null,
    updatedAt: fields.createdAt,
    ...fields,
  } satisfies Omit<OrderOrmEntity, 'version'>);
}

/** An order checked against its exchange's rules, with its ids, ready to be written: nothing is stored yet. */
export interface PreparedOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly row: OrderOrmEntity;
  readonly cause: string;
  /** Set for a sell out of the position: the rules to shrink it by, and the price that values it. */
  readonly exit?: { rules: OrderRules; referencePrice?: Decimal };
}

/** A prepared exit that found its position sold (or held by other sells), with what sold it. */
export interface ClosedExit {
  order: PreparedOrder;
  closedBy: ClosedBy | undefined;
  reason: string;
}

/** Orders written by `recordStarted`, each with the submit message it holds, to hand to `sendStarted` once their transaction has committed. */
export type StartedOrders = ReadonlyArray<{ readonly order: PreparedOrder; readonly message: ClaimedMessage }>;

interface SentAnswer {
  /** When the answer arrived (ms). */
  at: number;
  order: PreparedOrder;
  message: ClaimedMessage;
  outcome: Extract<SendOutcome, { sent: true }>;
  done: () => void;
}

/**
 * Answers waiting to be written, written in one transaction per batch while more arrive. While
 * sends of the same burst are still on their way, writing waits (up to ANSWER_HOLD_MS): an order
 * accepted a moment later protects a position, a status written a moment later only informs, and
 * on SQLite every write blocks the event loop that the remaining sends need.
 */
class AnswerRecorder {
  private readonly waiting: SentAnswer[] = [];
  private writing: Promise<void> | undefined;
  private sending = 0;
  private sendsSettled: (() => void) | undefined;

  constructor(
    private readonly ledger: OrderLedger,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  /** Counts a send in flight until the returned function is called. */
  countSend(): () => void {
    this.sending++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.sending === 0) this.sendsSettled?.();
    };
  }

  add(answer: SentAnswer): void {
    this.waiting.push(answer);
    this.writing ??= this.writeAll().finally(() => (this.writing = undefined));
  }

  private async writeAll(): Promise<void> {
    while (this.waiting.length > 0) {
      const holdUntil = this.waiting[0]!.at + ANSWER_HOLD_MS;
      if (this.sending > 0 && Date.now() < holdUntil) {
        await this.sendsSettledOr(holdUntil);
        continue;
      }
      const batch = this.waiting.splice(0, ANSWERS_PER_TRANSACTION);
      try {
        await this.ledger.applySnapshots(
          batch.map((a) => ({ orderId: a.order.orderId, snapshot: a.outcome.snapshot, cause: 'submission', trades: a.outcome.trades })),
        );
        await this.outbox.completeClaimed(batch.map((a) => a.message));
      } catch (error) {
        // One by one instead, each with the outbox's retries behind it (and the submit handler's lookup after that).
        this.logger.warn(`recording ${batch.length} order answers together failed, recording each: ${String(error)}`);
        await Promise.all(
          batch.map((a) =>
            this.outbox
              .runClaimed(a.message, async () => {
                await this.ledger.applySnapshot(a.order.orderId, a.outcome.snapshot, 'submission', a.outcome.trades);
              })
              .catch((e: unknown) => this.logger.warn(`order ${a.order.orderId}: recording its answer failed: ${String(e)}`)),
          ),
        );
      }
      for (const a of batch) a.done();
    }
  }

  private async sendsSettledOr(deadline: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.sendsSettled = finish;
    });
    this.sendsSettled = undefined;
  }
}

/** How long an answer may wait for the rest of its burst's sends before it is written anyway. */
const ANSWER_HOLD_MS = 1_000;
/** Answers written per transaction: one commit for many, without holding SQLite's writer long. */
const ANSWERS_PER_TRANSACTION = 100;

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
  private readonly answers: AnswerRecorder;

  constructor(
    private readonly gateways: ExchangeGateways,
    private readonly outbox: Outbox,
    private readonly submission: OrderSubmission,
    ledger: OrderLedger,
  ) {
    this.answers = new AnswerRecorder(ledger, outbox, this.logger);
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

  /** Writes prepared orders as PENDING with their `placed` timeline lines (one statement each for all of them). */
  async record(tx: TransactionScope, orders: readonly PreparedOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await insertRows(
      tx.manager,
      OrderOrmEntity,
      orders.map((o) => o.row as QueryDeepPartialEntity<OrderOrmEntity>),
    );
    await insertTimeline(
      tx.manager,
      orders.flatMap((o) => [
        timelineLine(o, 'placed', o.cause, {
          amount: o.row.amount?.toFixed(),
          cost: o.row.requestedCost?.toFixed(),
          price: o.row.price?.toFixed(),
        }),
        ...(o.row.submittedAt ? [timelineLine(o, 'submitted', 'submission')] : []),
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
    return orders.map((order, i) => ({ order, message: messages[i]! }));
  }

  /**
   * After commit: sends every order of `started` at once (the rate governor paces them) and
   * records the answers together — whatever arrived while the previous batch was being written
   * goes into the next transaction (group commit). A failed send is recorded on its own, in an
   * outbox handler slot, as a single submission's would be. Resolves once all are recorded.
   */
  async sendStarted(started: StartedOrders): Promise<void> {
    await Promise.all(
      started.map(async ({ order, message }) => {
        const sent = this.answers.countSend();
        try {
          const outcome = await this.submission.send(order.row);
          sent();
          if (!outcome.sent) await this.outbox.runClaimed(message, () => this.submission.onSubmissionError(order.row, outcome.error));
          else await new Promise<void>((done) => this.answers.add({ at: Date.now(), order, message, outcome, done }));
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

function timelineLine(
  order: PreparedOrder,
  event: string,
  cause: string,
  details?: Record<string, unknown>,
): QueryDeepPartialEntity<OrderTimelineOrmEntity> {
  return {
    orderId: order.orderId,
    at: new Date(),
    event,
    status: order.row.status,
    cause,
    details: details ? JSON.stringify(details) : null,
  };
}

async function insertTimeline(manager: EntityManager, lines: QueryDeepPartialEntity<OrderTimelineOrmEntity>[]): Promise<void> {
  await insertRows(manager, OrderTimelineOrmEntity, lines);
}
