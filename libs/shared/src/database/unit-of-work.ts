import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { DataSource, type EntityManager } from 'typeorm';
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
    const result = this.serialized ? await this.sqliteWriter.runExclusive(afterPendingIo(transact)) : await transact();
    if (events.length > 0) this.eventBus.publishAll(events);
    for (const callback of callbacks) {
      try {
        await callback();
      } catch (error) {
        this.logger.error(`after-commit callback failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return result;
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
    return this.serialized ? this.sqliteWriter.runExclusive(afterPendingIo(() => work(manager))) : work(manager);
  }
}

/**
 * better-sqlite3 answers synchronously, so a unit of work on SQLite is a chain of resolved
 * promises, and the next unit queued on the writer mutex starts in the same microtask queue:
 * hundreds of units back to back never give the event loop a turn, and sockets (an exchange's
 * answers, HTTP requests) wait seconds. Each unit first lets pending I/O callbacks run.
 */
function afterPendingIo<T>(work: () => Promise<T>): () => Promise<T> {
  return async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return work();
  };
}
