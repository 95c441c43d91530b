import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Decimal, NotFoundError, Outbox, UnitOfWork, ZERO } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import type { ExecutionPlanRecord, ExecutionSource, ExecutionStatus } from '../../domain/execution.js';
import type { PlannedExit } from '../../domain/exit-plan.js';
import {
  TemplateExecutionEventOrmEntity,
  TemplateExecutionExitOrmEntity,
  TemplateExecutionOrmEntity,
} from './template-execution.orm-entity.js';

/** Outbox topics of the execution saga: each step is a message, so a crash between steps resumes where it stopped. */
export const ARM_EXITS_TOPIC = 'templates.arm-exits';
export const FOLLOW_EXITS_TOPIC = 'templates.follow-exits';
export const EXPIRE_ENTRY_TOPIC = 'templates.expire-entry';

export interface NewExecution {
  templateId: string;
  templateVersion: number;
  source: ExecutionSource;
  sourceId: string | null;
  accountId: string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  idempotencyKey: string | null;
  requestHash: string | null;
  plan: ExecutionPlanRecord;
}

/** What the entry order did, in the market's terms. */
export interface EntryOutcome {
  filled: Decimal;
  average: Decimal | null;
  received: Decimal;
  paid: Decimal;
}

export interface StoredExecution {
  row: TemplateExecutionOrmEntity;
  exits: TemplateExecutionExitOrmEntity[];
  events: TemplateExecutionEventOrmEntity[];
}

/** Executions, their exits and their timeline; every change of state is one transaction with its timeline line. */
@Injectable()
export class ExecutionRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  /** Records a new execution (`pending`, no order yet); an Idempotency-Key another request recorded meanwhile answers that one. */
  async insert(execution: NewExecution, now = new Date()): Promise<{ row: TemplateExecutionOrmEntity; created: boolean }> {
    const row: TemplateExecutionOrmEntity = {
      id: randomUUID(),
      ...execution,
      status: 'pending',
      orderId: null,
      filled: null,
      average: null,
      received: null,
      paid: null,
      sold: null,
      breakEvenMoved: false,
      closedAt: null,
      failureCode: null,
      failureReason: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.uow.run(async ({ manager }) => {
        await manager.insert(TemplateExecutionOrmEntity, row);
        await addEvent(manager, row.id, 'requested', { source: row.source, version: row.templateVersion }, now);
      });
      return { row, created: true };
    } catch (error) {
      const earlier = execution.idempotencyKey ? await this.byKey(execution.idempotencyKey) : null;
      if (earlier) return { row: earlier, created: false };
      throw error;
    }
  }

  byKey(idempotencyKey: string): Promise<TemplateExecutionOrmEntity | null> {
    return this.uow.autocommit((m) => m.findOneBy(TemplateExecutionOrmEntity, { idempotencyKey }));
  }

  byOrder(orderId: string): Promise<TemplateExecutionOrmEntity | null> {
    return this.uow.autocommit((m) => m.findOneBy(TemplateExecutionOrmEntity, { orderId }));
  }

  exitOf(conditionId: string): Promise<TemplateExecutionExitOrmEntity | null> {
    return this.uow.autocommit((m) => m.findOneBy(TemplateExecutionExitOrmEntity, { conditionId }));
  }

  async get(id: string): Promise<StoredExecution> {
    return this.uow.autocommit(async (m) => {
      const row = await m.findOneBy(TemplateExecutionOrmEntity, { id });
      if (!row) throw new NotFoundError('TEMPLATE.EXECUTION_NOT_FOUND', `No template execution with id ${id}`, { executionId: id });
      const exits = await m.find(TemplateExecutionExitOrmEntity, { where: { executionId: id }, order: { rung: 'ASC', role: 'ASC' } });
      const events = await m.find(TemplateExecutionEventOrmEntity, { where: { executionId: id }, order: { id: 'ASC' } });
      return { row, exits, events };
    });
  }

  async list(filter: {
    templateId?: string;
    sourceId?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: TemplateExecutionOrmEntity[]; total: number }> {
    const [items, total] = await this.uow.autocommit((m) =>
      m.findAndCount(TemplateExecutionOrmEntity, {
        where: {
          ...(filter.templateId ? { templateId: filter.templateId } : {}),
          ...(filter.sourceId ? { sourceId: filter.sourceId } : {}),
        },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: filter.limit,
        skip: filter.offset,
      }),
    );
    return { items, total };
  }

  /** Pending executions whose entry was placed before `before`: the sweep asks the orders context how they ended. */
  pendingWithOrders(before: Date): Promise<TemplateExecutionOrmEntity[]> {
    return this.uow.autocommit((m) =>
      m
        .createQueryBuilder(TemplateExecutionOrmEntity, 'e')
        .where('e.status = :status', { status: 'pending' })
        .andWhere('e.orderId IS NOT NULL')
        .andWhere('e.updatedAt < :before', { before })
        .orderBy('e.createdAt', 'ASC')
        .limit(100)
        .getMany(),
    );
  }

  /** Executions whose exits are being armed: the sweep re-queues their arming (it is idempotent). */
  entryFilledBefore(before: Date): Promise<TemplateExecutionOrmEntity[]> {
    return this.uow.autocommit((m) =>
      m
        .createQueryBuilder(TemplateExecutionOrmEntity, 'e')
        .where('e.status = :status', { status: 'entry_filled' })
        .andWhere('e.closedAt IS NULL')
        .andWhere('e.updatedAt < :before', { before })
        .limit(100)
        .getMany(),
    );
  }

  /** The entry order is recorded: it is followed from now on; a limit with an expiry gets its cancellation queued. */
  async entryPlaced(id: string, orderId: string, expiresAt: Date | undefined, now = new Date()): Promise<void> {
    await this.uow.run(async (tx) => {
      await tx.manager.update(TemplateExecutionOrmEntity, { id }, { orderId, updatedAt: now });
      await addEvent(tx.manager, id, 'entry-placed', { orderId, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) }, now);
      if (expiresAt) await this.outbox.enqueue(tx, EXPIRE_ENTRY_TOPIC, { executionId: id, orderId }, { availableAt: expiresAt });
    });
  }

  async fail(id: string, code: string, reason: string, now = new Date()): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      await manager.update(
        TemplateExecutionOrmEntity,
        { id },
        { status: 'failed', failureCode: code, failureReason: reason, updatedAt: now },
      );
      await addEvent(manager, id, 'failed', { code, reason }, now);
    });
  }

  /**
   * The entry ended (filled, or cancelled/expired after a partial fill): the fill is recorded and the
   * exits planned from it are written with their condition ids chosen now, then armed by the
   * ARM_EXITS_TOPIC message. Once per execution: a later call (a re-delivered event, the sweep) finds it settled.
   */
  async entrySettled(id: string, outcome: EntryOutcome, exits: PlannedExit[], notes: string[], now = new Date()): Promise<boolean> {
    const message = await this.uow.run(async (tx) => {
      const row = await lock(tx.manager, id);
      if (row?.status !== 'pending') return undefined;
      // Without exits, `entry_filled` is final (api.md); closedAt says there is nothing left to follow.
      const status: ExecutionStatus = 'entry_filled';
      const set: Partial<TemplateExecutionOrmEntity> = { ...outcome, sold: ZERO, status, updatedAt: now };
      if (exits.length === 0) set.closedAt = now;
      await tx.manager.update(TemplateExecutionOrmEntity, { id }, set);
      await addEvent(
        tx.manager,
        id,
        'entry-filled',
        {
          filled: outcome.filled.toFixed(),
          average: outcome.average?.toFixed() ?? null,
          received: outcome.received.toFixed(),
          paid: outcome.paid.toFixed(),
          ...(notes.length > 0 ? { notes } : {}),
        },
        now,
      );
      if (exits.length === 0) return undefined;
      for (const exit of exits)
        await tx.manager.insert(TemplateExecutionExitOrmEntity, {
          conditionId: randomUUID(),
          executionId: id,
          role: exit.role,
          rung: exit.rung,
          amount: exit.amount,
          triggerPrice: exit.triggerPrice ?? null,
          trailPercent: exit.trailPercent ?? null,
          activationPrice: exit.activationPrice ?? null,
          execution: exit.execution ?? null,
          status: 'planned',
          sold: null,
          reason: null,
          updatedAt: now,
        });
      return (await this.outbox.enqueue(tx, ARM_EXITS_TOPIC, { executionId: id }, { priority: 0 })).id;
    });
    if (message) await this.outbox.dispatchNow(message);
    return message !== undefined;
  }

  /** Nothing filled: the execution failed, with the entry's end as the reason. */
  async entryUnfilled(id: string, reason: string, now = new Date()): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      const row = await lock(manager, id);
      if (row?.status !== 'pending') return;
      await manager.update(
        TemplateExecutionOrmEntity,
        { id },
        { status: 'failed', failureCode: 'TEMPLATE.ENTRY_NOT_FILLED', failureReason: reason, filled: ZERO, closedAt: now, updatedAt: now },
      );
      await addEvent(manager, id, 'failed', { code: 'TEMPLATE.ENTRY_NOT_FILLED', reason }, now);
    });
  }

  /** An exit's condition is armed (or could not be): once every exit is, the execution is `exits_armed` (or `failed`). */
  async exitArmed(conditionId: string, outcome: { ok: true } | { ok: false; reason: string }, now = new Date()): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      const exit = await manager.findOneBy(TemplateExecutionExitOrmEntity, { conditionId });
      if (exit?.status !== 'planned') return;
      await manager.update(
        TemplateExecutionExitOrmEntity,
        { conditionId },
        outcome.ok ? { status: 'armed', updatedAt: now } : { status: 'failed', reason: outcome.reason, updatedAt: now },
      );
      await addEvent(
        manager,
        exit.executionId,
        outcome.ok ? 'exit-armed' : 'exit-failed',
        {
          conditionId,
          role: exit.role,
          rung: exit.rung,
          amount: exit.amount.toFixed(),
          ...(outcome.ok ? {} : { reason: outcome.reason }),
        },
        now,
      );
      const exits = await manager.findBy(TemplateExecutionExitOrmEntity, { executionId: exit.executionId });
      if (exits.some((e) => e.status === 'planned')) return;
      const failed = exits.find((e) => e.status === 'failed');
      await manager.update(
        TemplateExecutionOrmEntity,
        { id: exit.executionId, status: 'entry_filled' },
        failed
          ? {
              status: 'failed',
              failureCode: 'TEMPLATE.EXIT_NOT_ARMED',
              failureReason: `${failed.role} rung ${failed.rung}: ${failed.reason}`,
              updatedAt: now,
            }
          : { status: 'exits_armed', updatedAt: now },
      );
    });
  }

  /** An exit's order filled: what it sold is counted once, and the other exits are brought in line (FOLLOW_EXITS_TOPIC). */
  async exitSold(conditionId: string, orderId: string, sold: Decimal, now = new Date()): Promise<void> {
    const message = await this.uow.run(async (tx) => {
      const exit = await tx.manager.findOneBy(TemplateExecutionExitOrmEntity, { conditionId });
      if (!exit || exit.status === 'filled') return undefined;
      const row = await lock(tx.manager, exit.executionId);
      if (!row) return undefined;
      await tx.manager.update(TemplateExecutionExitOrmEntity, { conditionId }, { status: 'filled', sold, updatedAt: now });
      await tx.manager.update(TemplateExecutionOrmEntity, { id: row.id }, { sold: (row.sold ?? ZERO).plus(sold), updatedAt: now });
      await addEvent(
        tx.manager,
        row.id,
        exit.role === 'take_profit' ? 'target-filled' : `${exit.role === 'stop_loss' ? 'stop' : 'trailing'}-filled`,
        {
          conditionId,
          orderId,
          rung: exit.rung,
          sold: sold.toFixed(),
        },
        now,
      );
      return (await this.outbox.enqueue(tx, FOLLOW_EXITS_TOPIC, { executionId: row.id }, { priority: 0 })).id;
    });
    if (message) await this.outbox.dispatchNow(message);
  }

  async exitChanged(
    conditionId: string,
    change: { amount?: Decimal; status?: 'cancelled'; breakEven?: boolean; reason?: string },
    now = new Date(),
  ): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      const exit = await manager.findOneBy(TemplateExecutionExitOrmEntity, { conditionId });
      if (!exit) return;
      await manager.update(
        TemplateExecutionExitOrmEntity,
        { conditionId },
        {
          ...(change.amount ? { amount: change.amount } : {}),
          ...(change.status ? { status: change.status, reason: change.reason ?? null } : {}),
          updatedAt: now,
        },
      );
      if (change.breakEven)
        await manager.update(TemplateExecutionOrmEntity, { id: exit.executionId }, { breakEvenMoved: true, updatedAt: now });
      const event = change.breakEven ? 'break-even' : change.status === 'cancelled' ? 'exit-cancelled' : 'exit-resized';
      await addEvent(
        manager,
        exit.executionId,
        event,
        {
          conditionId,
          role: exit.role,
          rung: exit.rung,
          ...(change.amount ? { from: exit.amount.toFixed(), to: change.amount.toFixed() } : {}),
          ...(change.reason ? { reason: change.reason } : {}),
        },
        now,
      );
    });
  }

  async closed(id: string, now = new Date()): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      const row = await lock(manager, id);
      if (!row || row.closedAt) return;
      await manager.update(TemplateExecutionOrmEntity, { id }, { closedAt: now, updatedAt: now });
      await addEvent(manager, id, 'closed', { sold: (row.sold ?? ZERO).toFixed() }, now);
    });
  }

  /** Queues the arming step again (the sweep, for executions a crash left `entry_filled`). */
  async requeueArming(id: string): Promise<void> {
    const message = await this.uow.run(
      async (tx) => (await this.outbox.enqueue(tx, ARM_EXITS_TOPIC, { executionId: id }, { priority: 0 })).id,
    );
    await this.outbox.dispatchNow(message);
  }
}

async function lock(manager: EntityManager, id: string): Promise<TemplateExecutionOrmEntity | null> {
  const query = manager.createQueryBuilder(TemplateExecutionOrmEntity, 'e').where('e.id = :id', { id });
  if (manager.dataSource.options.type === 'postgres') query.setLock('pessimistic_write');
  return query.getOne();
}

async function addEvent(
  manager: EntityManager,
  executionId: string,
  event: string,
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  const line = manager.create(TemplateExecutionEventOrmEntity, { executionId, event, at });
  line.details = details;
  await manager.save(TemplateExecutionEventOrmEntity, line);
}
