import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Semaphore } from 'async-mutex';
import { In, IsNull, LessThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { RequestContext } from '../context/request-context.js';
import { insertRows } from '../database/insert-rows.js';
import { type TransactionScope, UnitOfWork } from '../database/unit-of-work.js';
import {
  type ClaimedMessage,
  doneNow,
  type EnqueueOptions,
  type OutboxHandler,
  type OutboxMessage,
  pendingRow,
  RetryLater,
} from './outbox-message.js';
import { OutboxMessageOrmEntity } from './outbox-message.orm-entity.js';

/**
 * A claim expires after this long unless renewed, so a message held by a crashed process is
 * picked up again by a survivor (or the restarted process) within seconds, not minutes.
 */
const CLAIM_LEASE_MS = 15_000;
/** Claims of messages still being handled are renewed this often (a handler may wait on an exchange). */
const LEASE_RENEW_MS = 5_000;
const MAX_ATTEMPTS = 10;
/**
 * Handlers running at once in this process. A thousand stops crossed at once must not become a
 * thousand transactions and exchange calls started together: on SQLite every commit blocks the
 * event loop, and a request whose answer waits behind seconds of commits times out as UNKNOWN.
 */
export const MAX_HANDLERS_IN_FLIGHT = 32;
/** Slots that only priority-0 messages (protective exits, lookups of their orders) may take. */
const PROTECTIVE_RESERVE = 8;

function changeSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Transactional outbox with an at-least-once dispatcher. Messages are claimed with a lease
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several instances share the work without taking
 * the same message) that is renewed while the handler runs; a failed handler retries with
 * backoff, and after MAX_ATTEMPTS failures the message is parked as `dead` for an operator.
 * Only a handler's failure counts as an attempt: a process killed while holding a message does
 * not bring it closer to `dead`.
 */
@Injectable()
export class Outbox implements OnApplicationShutdown {
  private readonly logger = new Logger(Outbox.name);
  private readonly handlers = new Map<string, OutboxHandler>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = false;
  /** Messages this process is handling now: their claims are renewed until they finish. */
  private readonly handling = new Set<string>();
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly slots = new Semaphore(MAX_HANDLERS_IN_FLIGHT);
  private readonly ordinarySlots = new Semaphore(MAX_HANDLERS_IN_FLIGHT - PROTECTIVE_RESERVE);
  /** Set while a handler runs: what it dispatches in turn runs in its slot (waiting for another could deadlock). */
  private readonly insideHandler = new AsyncLocalStorage<true>();
  /** Resolved when a slot frees or a wake-up arrives, so a drain in progress claims again. */
  private change = changeSignal();

  constructor(private readonly uow: UnitOfWork) {}

  register(topic: string, handler: OutboxHandler): void {
    if (this.handlers.has(topic)) throw new Error(`outbox topic "${topic}" already has a handler`);
    this.handlers.set(topic, handler);
  }

  /** Writes a message inside the caller's transaction; the dispatcher is woken after commit. */
  async enqueue(
    tx: TransactionScope,
    topic: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<OutboxMessage> {
    const row = pendingRow(topic, payload, options, null);
    // insert, not save: save would first SELECT the row to decide between insert and update.
    await tx.manager.insert(OutboxMessageOrmEntity, row as QueryDeepPartialEntity<OutboxMessageOrmEntity>);
    tx.afterCommit(() => this.wake());
    return { id: row.id, topic, payload, attempts: 0 };
  }

  /**
   * Writes messages inside the caller's transaction already claimed by this process, for work it
   * runs itself right after commit (`runClaimed`). The message is only the crash cover: if this
   * process dies first, the claim's lease runs out (on SQLite: at the next start) and the poller
   * delivers it to the topic's handler like any other. Multi-row: one statement for the lot;
   * the messages come back in the order given.
   */
  async enqueueClaimed(
    tx: TransactionScope,
    topic: string,
    messages: ReadonlyArray<{ payload: Record<string, unknown> } & Omit<EnqueueOptions, 'id'>>,
  ): Promise<ClaimedMessage[]> {
    if (messages.length === 0) return [];
    const claimedUntil = new Date(Date.now() + CLAIM_LEASE_MS);
    const rows = messages.map(({ payload, ...options }) => pendingRow(topic, payload, options, claimedUntil));
    await insertRows(tx.manager, OutboxMessageOrmEntity, rows as QueryDeepPartialEntity<OutboxMessageOrmEntity>[]);
    // Renewed from now on: the transaction may take a while to commit, the sends longer.
    for (const row of rows) this.handling.add(row.id);
    return rows.map((r) => ({ id: r.id, topic, payload: r.payload, attempts: 1, priority: r.priority }));
  }

  /**
   * Runs `work` for a message from `enqueueClaimed` in a handler slot, with the usual bookkeeping:
   * done when it succeeds, retried (by the topic's handler) when it throws.
   */
  runClaimed(message: ClaimedMessage, work: () => Promise<void>): Promise<void> {
    return this.process(message, work);
  }

  /** Marks messages from `enqueueClaimed` done whose work the caller finished itself (one statement). */
  async completeClaimed(messages: readonly ClaimedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.uow.autocommit((manager) => manager.update(OutboxMessageOrmEntity, { id: In(messages.map((m) => m.id)) }, doneNow()));
    } finally {
      // Not renewed any more either way: if the update failed, the lease runs out and the topic's
      // handler finds the work done.
      this.abandonClaimed(messages);
    }
  }

  /**
   * Marks messages from `enqueueClaimed` done inside the caller's transaction, the one that records
   * their work's outcome: one commit for both. Their claims stop being renewed once it commits; if
   * it rolls back they stay claimed (and renewed) for the caller to finish another way.
   */
  async completeClaimedIn(tx: TransactionScope, messages: readonly ClaimedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await tx.manager.update(OutboxMessageOrmEntity, { id: In(messages.map((m) => m.id)) }, doneNow());
    tx.afterCommit(() => this.abandonClaimed(messages));
  }

  /**
   * Stops renewing claims from `enqueueClaimed`: their transaction rolled back (nothing to renew),
   * or their work is left to the topic's handler, which gets them once the lease runs out.
   */
  abandonClaimed(messages: readonly ClaimedMessage[]): void {
    for (const m of messages) this.handling.delete(m.id);
  }

  /**
   * Starts periodic draining (the app calls this once it is ready to act on messages). On SQLite
   * the database belongs to this one process (a lock file guarantees it), so claims left by a
   * killed predecessor are released at once instead of waiting for their lease to run out.
   */
  async start(pollMs: number): Promise<void> {
    // Shut down is final: a start-up step that finishes late (reconciliation) must not revive it.
    if (this.stopped) return;
    if (this.uow.driver === 'sqlite' && !this.timer) {
      await this.uow.run(({ manager }) =>
        manager
          .createQueryBuilder()
          .update(OutboxMessageOrmEntity)
          .set({ claimedUntil: null })
          .where('status = :pending AND claimedUntil IS NOT NULL', { pending: 'pending' })
          .execute(),
      );
    }
    this.timer ??= setInterval(() => this.wake(), pollMs);
    this.timer.unref();
    this.renewTimer ??= setInterval(() => void this.renewClaims(), LEASE_RENEW_MS);
    this.renewTimer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.timer = undefined;
    this.renewTimer = undefined;
    await this.draining;
  }

  /** Extends the lease of every message still being handled here. */
  private async renewClaims(): Promise<void> {
    if (this.handling.size === 0) return;
    const ids = [...this.handling];
    try {
      await this.uow.run(({ manager }) =>
        manager.update(OutboxMessageOrmEntity, { id: In(ids), status: 'pending' }, { claimedUntil: new Date(Date.now() + CLAIM_LEASE_MS) }),
      );
    } catch (error) {
      this.logger.warn(`outbox lease renewal failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Claims one message and runs its handler now, in the caller's flow (e.g. submit an order
   * while the HTTP request waits), even before its `availableAt`. Returns false when someone else
   * holds or finished it.
   */
  async dispatchNow(id: string): Promise<boolean> {
    const [message] = await this.claim({ id });
    if (!message) return false;
    await this.process(message);
    return true;
  }

  /**
   * Holds back every due, unclaimed message of a topic until `until`, in one statement: for a
   * consumer that learned its destination is down (an SMTP server that does not answer), so the
   * dispatcher does not claim and put back each of its messages in turn meanwhile.
   */
  async postpone(topic: string, until: Date): Promise<number> {
    const result = await this.uow.autocommit((manager) =>
      manager.update(
        OutboxMessageOrmEntity,
        { topic, status: 'pending', availableAt: LessThan(until), claimedUntil: IsNull() },
        { availableAt: until },
      ),
    );
    return result.affected ?? 0;
  }

  /** Drains everything due; concurrent wake-ups fold into one extra pass. */
  wake(): void {
    if (this.stopped || !this.timer) return;
    if (this.draining) {
      this.wakeRequested = true;
      this.signalChange();
      return;
    }
    // Woken by a commit inside a handler, the pass must not inherit that handler's slot.
    this.draining = this.insideHandler
      .exit(() => this.drain())
      .then(() => undefined)
      .finally(() => {
        this.draining = undefined;
        if (this.wakeRequested) {
          this.wakeRequested = false;
          this.wake();
        }
      });
  }

  /**
   * Processes due messages until none is left; returns how many ran. Exposed for tests. A pool,
   * not batches: a slot that frees is refilled at once, so an urgent message enqueued meanwhile
   * does not wait for the slowest handler of a batch.
   */
  async drain(): Promise<number> {
    let total = 0;
    const running = new Set<Promise<void>>();
    while (!this.stopped) {
      const free = this.slots.getValue();
      const batch = free > 0 ? await this.claimDue(free) : [];
      if (batch === undefined) break;
      for (const message of batch) this.runInPool(message, running);
      total += batch.length;
      if (free > 0 && batch.length === free) continue;
      if (running.size === 0) break;
      // Nothing more is due right now: wait until a handler ends or a message is enqueued.
      await this.change.promise;
    }
    await Promise.all(running);
    return total;
  }

  /** Up to `limit` due messages; undefined when the claim failed (logged: the next wake-up tries again). */
  private async claimDue(limit: number): Promise<ClaimedMessage[] | undefined> {
    try {
      return await this.claim({ limit });
    } catch (error) {
      this.logger.warn(`outbox claim failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Starts a message's handler; `running` holds it until it ends, which wakes the drain to refill its slot. */
  private runInPool(message: ClaimedMessage, running: Set<Promise<void>>): void {
    const run: Promise<void> = this.process(message).finally(() => {
      running.delete(run);
      this.signalChange();
    });
    running.add(run);
  }

  private signalChange(): void {
    this.change.resolve();
    this.change = changeSignal();
  }

  private async claim(which: { id?: string; limit?: number }): Promise<ClaimedMessage[]> {
    if (which.id && this.uow.driver === 'postgres') return this.claimById(which.id);
    return this.uow.run(async ({ manager }) => {
      const now = new Date();
      const query = manager
        .createQueryBuilder(OutboxMessageOrmEntity, 'm')
        .select(['m.id', 'm.topic', 'm.payload', 'm.attempts', 'm.priority'])
        .where('m.status = :pending', { pending: 'pending' })
        .andWhere('(m.claimedUntil IS NULL OR m.claimedUntil < :now)', { now })
        .orderBy('m.priority', 'ASC')
        .addOrderBy('m.createdAt', 'ASC')
        .limit(which.limit ?? 1);
      // dispatchNow(id) runs its message at once; `availableAt` only holds back the poller.
      if (which.id) query.andWhere('m.id = :id', { id: which.id });
      else query.andWhere('m.availableAt <= :now', { now });
      if (this.uow.driver === 'postgres') query.setLock('pessimistic_write').setOnLocked('skip_locked');
      const rows = await query.getMany();
      if (rows.length === 0) return [];
      await manager.update(
        OutboxMessageOrmEntity,
        { id: In(rows.map((r) => r.id)) },
        { claimedUntil: new Date(now.getTime() + CLAIM_LEASE_MS) },
      );
      // `attempts` is the number of this delivery: earlier failures + 1.
      return rows.map((r) => ({ id: r.id, topic: r.topic, payload: r.payload, attempts: r.attempts + 1, priority: r.priority }));
    });
  }

  /**
   * One message claimed in one statement (PostgreSQL): an UPDATE that a concurrent claim of the
   * same row waits for and then, seeing the claim, skips — what the SELECT … FOR UPDATE SKIP
   * LOCKED and the UPDATE of a drain's claim do in four round trips.
   */
  private async claimById(id: string): Promise<ClaimedMessage[]> {
    const now = new Date();
    const result = await this.uow.autocommit((manager) =>
      manager
        .createQueryBuilder()
        .update(OutboxMessageOrmEntity)
        .set({ claimedUntil: new Date(now.getTime() + CLAIM_LEASE_MS) })
        .where('id = :id', { id })
        .andWhere('status = :pending', { pending: 'pending' })
        .andWhere('("claimedUntil" IS NULL OR "claimedUntil" < :now)', { now })
        .returning(['id', 'topic', 'payload', 'attempts', 'priority'])
        .execute(),
    );
    const rows = result.raw as Array<{ id: string; topic: string; payload: string; attempts: number; priority: number }>;
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      attempts: r.attempts + 1,
      priority: r.priority,
    }));
  }

  /** Runs a claimed message's handler in a slot (waiting for one, most urgent first). */
  private async process(claimed: ClaimedMessage, work?: () => Promise<void>): Promise<void> {
    // Claimed messages waiting for a slot keep their lease: they are renewed like running ones.
    this.handling.add(claimed.id);
    if (this.insideHandler.getStore()) return this.handle(claimed, work);
    const ordinary = claimed.priority > 0;
    // async-mutex serves the greatest priority first; the outbox's most urgent is the lowest number.
    const [, releaseOrdinary] = ordinary ? await this.ordinarySlots.acquire(1, -claimed.priority) : [0, () => undefined];
    const [, release] = await this.slots.acquire(1, -claimed.priority);
    try {
      await this.insideHandler.run(true, () => this.handle(claimed, work));
    } finally {
      release();
      releaseOrdinary();
      this.signalChange();
    }
  }

  private async handle(claimed: ClaimedMessage, work?: () => Promise<void>): Promise<void> {
    const { priority: _priority, ...message } = claimed;
    const handler = this.handlers.get(message.topic);
    this.handling.add(message.id);
    try {
      if (!handler) throw new Error(`no handler for outbox topic "${message.topic}"`);
      await RequestContext.run(`outbox-${message.id}`, () => (work ? work() : handler(message)));
      await this.uow.autocommit((manager) => manager.update(OutboxMessageOrmEntity, { id: message.id }, doneNow()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const retryLater = error instanceof RetryLater;
      const dead = !retryLater && message.attempts >= MAX_ATTEMPTS;
      const delayMs = retryLater ? error.afterMs : Math.min(60_000, 250 * 2 ** message.attempts);
      if (dead) this.logger.error(`outbox message ${message.id} (${message.topic}) gave up after ${message.attempts} attempts: ${reason}`);
      else this.logger.warn(`outbox message ${message.id} (${message.topic}) will retry in ${delayMs} ms: ${reason}`);
      await this.uow
        .autocommit((manager) =>
          manager.update(
            OutboxMessageOrmEntity,
            { id: message.id },
            {
              status: dead ? 'dead' : 'pending',
              availableAt: new Date(Date.now() + delayMs),
              claimedUntil: null,
              lastError: reason.slice(0, 2000),
              ...(retryLater ? {} : { attempts: () => 'attempts + 1' }),
              ...(dead ? { processedAt: new Date() } : {}),
            },
          ),
        )
        .catch((e: unknown) => this.logger.error(`outbox bookkeeping failed for ${message.id}: ${String(e)}`));
    } finally {
      this.handling.delete(message.id);
    }
  }
}
