import type { Logger } from '@nestjs/common';
import { type ClaimedMessage, type Outbox, SerialDrain } from '@tradedesk/shared';
import type { OrderLedger } from './order-ledger.js';
import type { SendOutcome } from './order-submission.js';
import type { PreparedOrder } from './order-rows.js';

interface SentAnswer {
  /** When the answer arrived (ms). */
  at: number;
  order: PreparedOrder;
  message: ClaimedMessage;
  outcome: Extract<SendOutcome, { sent: true }>;
  done: () => void;
}

/**
 * Answers waiting to be written, written in one transaction per batch while more arrive (group
 * commit), each batch with its submissions' outbox messages marked done in the same transaction.
 * With `holdMs` (a tick's burst of exits): while sends of the same burst are still on their way,
 * writing waits up to that long: an order accepted a moment later protects a position, a status
 * written a moment later only informs, and on SQLite every write blocks the event loop that the
 * remaining sends need. Without (orders placed through the API, whose request waits for the
 * answer): a batch is written as soon as the previous one committed.
 */
export class AnswerRecorder {
  private readonly waiting: SentAnswer[] = [];
  private readonly writing = new SerialDrain(
    () => this.writeAll(),
    () => this.waiting.length > 0,
  );
  private sending = 0;
  private sendsSettled: (() => void) | undefined;

  constructor(
    private readonly ledger: OrderLedger,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly holdMs = ANSWER_HOLD_MS,
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
    this.writing.kick();
  }

  private async writeAll(): Promise<void> {
    while (this.waiting.length > 0) {
      const holdUntil = this.waiting[0].at + this.holdMs;
      if (this.sending > 0 && Date.now() < holdUntil) {
        await this.sendsSettledOr(holdUntil);
        continue;
      }
      const batch = this.waiting.splice(0, ANSWERS_PER_TRANSACTION);
      try {
        await this.ledger.applySnapshots(
          batch.map((a) => ({ orderId: a.order.orderId, snapshot: a.outcome.snapshot, cause: 'submission', trades: a.outcome.trades })),
          (tx) =>
            this.outbox.completeClaimedIn(
              tx,
              batch.map((a) => a.message),
            ),
        );
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

/** How long an answer of a burst may wait for the rest of its burst's sends before it is written anyway. */
export const ANSWER_HOLD_MS = 1_000;
/** Answers written per transaction: one commit for many, without holding SQLite's writer long. */
const ANSWERS_PER_TRANSACTION = 100;
