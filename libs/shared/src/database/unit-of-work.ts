import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { DataSource, type EntityManager } from 'typeorm';
import { SerialDrain } from '../async/serial-drain.js';
import type { DomainEvent } from '../ddd/domain-event.js';

/** What a unit of work hands to the code running inside its transaction. */
export interface TransactionScope {
  readonly manager: EntityManager;
  /** Queues events to publish once the transaction has committed (never on rollback). */
  publish(...events: DomainEvent[]): void;
  /** Runs after commit, after the events are published (e.g. wake a dispatcher). */
  afterCommit(callback: () => unknown): void;
}

/**
 * The only way to write: one database transaction, domain events published after it commits.
 *
 * SQLite through better-sqlite3 has a single connection, so two overlapping TypeORM transactions
 * would nest into each other's savepoints; here they queue behind a mutex instead. PostgreSQL
 * transactions run concurrently on the pool.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly sqliteWriter = new Mutex();
  private readonly serialized: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly eventBus: EventBus,
  ) {
    this.serialized = dataSource.options.type === 'better-sqlite3';
  }

  get driver(): 'postgres' | 'sqlite' {
    return this.serialized ? 'sqlite' : 'postgres';
  }

  async run<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const events: DomainEvent[] = [];
    const callbacks: Array<() => unknown> = [];
    const transact = () =>
      this.dataSource.transaction((manager) =>
        work({
          manager,
          publish: (...e) => events.push(...e),
          afterCommit: (cb) => callbacks.push(cb),
        }),
      );
    const result = this.serialized ? await this.sqliteWriter.runExclusive(this.afterPendingIo(transact)) : await transact();
    await this.afterUnit({ ok: true, value: result, events, callbacks });
    return result;
  }

  /**
   * Like `run`, for many small independent units arriving together (orders placed through the API):
   * on SQLite the units that queue while the writer is busy run in one transaction, each inside
   * its own savepoint — one commit (one fsync) for the lot, and a unit that throws is rolled back
   * alone and rejects alone. A unit's events and after-commit callbacks run only if its savepoint
   * held and the whole commit succeeded. On PostgreSQL, where transactions run concurrently and
   * concurrent commits already share their WAL flush, it is `run`.
   */
  runGrouped<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    if (!this.serialized) return this.run(work);
    return new Promise<T>((resolve, reject) => {
      this.grouped.push({ work, resolve, reject } as GroupedUnit);
      this.groupDrain.kick();
    });
  }

  private readonly grouped: GroupedUnit[] = [];
  private readonly groupDrain = new SerialDrain(
    () => this.drainGroups(),
    () => this.grouped.length > 0,
  );

  private async drainGroups(): Promise<void> {
    while (this.grouped.length > 0) {
      // The group is taken once the writer is ours: whatever queued while waiting joins it.
      let batch: GroupedUnit[] = [];
      let outcomes: GroupedOutcome[];
      try {
        outcomes = await this.sqliteWriter.runExclusive(
          this.afterPendingIo(() => {
            batch = this.grouped.splice(0, MAX_GROUPED_UNITS);
            return this.runGroup(batch.map((unit) => unit.work));
          }),
        );
      } catch (error) {
        // The transaction itself failed (its commit): none of the group was written.
        for (const unit of batch) unit.reject(error);
        continue;
      }
      for (const [i, unit] of batch.entries()) await this.settle(unit, outcomes[i]);
    }
  }

  /** One transaction for the group, each unit in a savepoint of its own (a nested transaction on the same connection). */
  private async runGroup(units: ReadonlyArray<(tx: TransactionScope) => Promise<unknown>>): Promise<GroupedOutcome[]> {
    const outcomes: GroupedOutcome[] = [];
    await this.dataSource.transaction(async (manager) => {
      for (const work of units) {
        const events: DomainEvent[] = [];
        const callbacks: Array<() => unknown> = [];
        try {
          const value = await manager.transaction((inner) =>
            work({ manager: inner, publish: (...e) => events.push(...e), afterCommit: (cb) => callbacks.push(cb) }),
          );
          outcomes.push({ ok: true, value, events, callbacks });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
    return outcomes;
  }

  /** After the group's commit: a unit that failed rejects; one that held publishes its events, runs its callbacks and resolves. */
  private async settle(unit: GroupedUnit, outcome: GroupedOutcome): Promise<void> {
    if (!outcome.ok) {
      unit.reject(outcome.error);
      return;
    }
    await this.afterUnit(outcome);
    unit.resolve(outcome.value);
  }

  /** A unit that held, after its transaction's commit: its events, then its callbacks. */
  private async afterUnit(outcome: Extract<GroupedOutcome, { ok: true }>): Promise<void> {
    if (outcome.events.length > 0) this.eventBus.publishAll(outcome.events);
    for (const callback of outcome.callbacks) {
      try {
        await callback();
      } catch (error) {
        this.logger.error(`after-commit callback failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Runs without a transaction of its own: reads of committed rows that need no snapshot across
   * statements, or one statement that is atomic by itself and publishes nothing. A START/COMMIT
   * pair is two of the three round trips of a one-statement unit on PostgreSQL, where each
   * statement here runs on a pooled connection. On SQLite it still waits for the writer mutex: the
   * one connection may be inside another unit's transaction, whose uncommitted rows a read would
   * see and whose rollback would take a write along.
   */
  autocommit<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const manager = this.dataSource.manager;
    return this.serialized ? this.sqliteWriter.runExclusive(this.afterPendingIo(() => work(manager))) : work(manager);
  }

  /** When the current run of SQLite units without an event-loop turn began (undefined: the loop turned since). */
  private burstStartedAt: number | undefined;
  private burstEndScheduled = false;

  /**
   * better-sqlite3 answers synchronously, so a unit of work on SQLite is a chain of resolved
   * promises, and the next unit queued on the writer mutex starts in the same microtask queue:
   * hundreds of units back to back never give the event loop a turn, and sockets (an exchange's
   * answers, HTTP requests) wait seconds. So units run back to back for at most
   * SQLITE_BURST_MS; the next one first lets pending I/O callbacks run (setImmediate). Yielding
   * before every unit instead capped the writer at one unit per event-loop turn: under load a
   * turn takes milliseconds, and orders queued behind it (bench/orders, issue 14).
   */
  private afterPendingIo<T>(work: () => Promise<T>): () => Promise<T> {
    return async () => {
      const now = performance.now();
      if (this.burstStartedAt === undefined) this.burstStartedAt = now;
      else if (now - this.burstStartedAt >= SQLITE_BURST_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.burstStartedAt = performance.now();
      }
      this.endBurstOnNextTurn();
      return work();
    };
  }

  /** Marks the burst over once the event loop reaches its check phase (I/O callbacks have run). */
  private endBurstOnNextTurn(): void {
    if (this.burstEndScheduled) return;
    this.burstEndScheduled = true;
    setImmediate(() => {
      this.burstEndScheduled = false;
      this.burstStartedAt = undefined;
    });
  }
}

type GroupedOutcome = { ok: true; value: unknown; events: DomainEvent[]; callbacks: Array<() => unknown> } | { ok: false; error: unknown };

interface GroupedUnit {
  work: (tx: TransactionScope) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Units of `runGrouped` in one SQLite transaction at most. */
const MAX_GROUPED_UNITS = 64;

/** How long SQLite units may run back to back before the event loop gets a turn. */
const SQLITE_BURST_MS = 4;
