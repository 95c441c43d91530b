import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AdjustConditionCommand, ArmConditionCommand, CancelConditionCommand, type CreateConditionInput } from '@tradedesk/conditions';
import { CancelOrderCommand } from '@tradedesk/orders';
import { ConflictError, type OutboxMessage, Outbox, ValidationError, ZERO } from '@tradedesk/shared';
import { type ExitAction, exitActions } from '../../domain/execution.js';
import {
  ARM_EXITS_TOPIC,
  EXPIRE_ENTRY_TOPIC,
  ExecutionRepository,
  FOLLOW_EXITS_TOPIC,
} from '../../infrastructure/persistence/execution.repository.js';
import type {
  TemplateExecutionExitOrmEntity,
  TemplateExecutionOrmEntity,
} from '../../infrastructure/persistence/template-execution.orm-entity.js';

/**
 * The saga's steps, each an outbox message so that a crash between two resumes at the second:
 * arm the exits planned from the fill (each under the condition id chosen when it was planned, so
 * arming twice arms once); bring the exits in line after one sold (a ladder's stop shrinks to what
 * is left, moves to break-even after the first target, everything else is cancelled once the
 * position is sold); cancel a limit entry still open at its expiry (what it filled keeps its exits).
 */
@Injectable()
export class ExecutionSagaConsumer implements OnModuleInit {
  private readonly logger = new Logger('TemplateExecutionSaga');

  constructor(
    private readonly outbox: Outbox,
    private readonly executions: ExecutionRepository,
    private readonly commands: CommandBus,
  ) {}

  onModuleInit(): void {
    this.outbox.register(ARM_EXITS_TOPIC, (m) => this.armExits(executionOf(m)));
    this.outbox.register(FOLLOW_EXITS_TOPIC, (m) => this.followExits(executionOf(m)));
    this.outbox.register(EXPIRE_ENTRY_TOPIC, (m) => this.expireEntry(executionOf(m)));
  }

  async armExits(executionId: string): Promise<void> {
    const { row, exits } = await this.executions.get(executionId);
    for (const exit of exits.filter((e) => e.status === 'planned')) {
      try {
        await this.commands.execute(new ArmConditionCommand(conditionRequest(row, exit), new Date(), { conditionId: exit.conditionId }));
        await this.executions.exitArmed(exit.conditionId, { ok: true });
      } catch (error) {
        // A rule refused it (the position was sold meanwhile, a minimum): final. Anything else is retried.
        if (!(error instanceof ValidationError) && !(error instanceof ConflictError)) throw error;
        await this.executions.exitArmed(exit.conditionId, { ok: false, reason: error.message });
      }
    }
  }

  async followExits(executionId: string): Promise<void> {
    const { row, exits } = await this.executions.get(executionId);
    if (row.closedAt) return;
    const { closed, actions } = exitActions(
      {
        received: row.received ?? ZERO,
        sold: row.sold ?? ZERO,
        breakEvenAfterFirstTarget: row.plan.exits?.breakEvenAfterFirstTarget === true,
        breakEvenMoved: row.breakEvenMoved,
      },
      exits.map((e) => ({ conditionId: e.conditionId, role: e.role, rung: e.rung, amount: e.amount, status: e.status })),
    );
    for (const action of actions) await this.apply(executionId, action);
    if (closed) await this.executions.closed(executionId);
  }

  private async apply(executionId: string, action: ExitAction): Promise<void> {
    try {
      if (action.kind === 'cancel') {
        await this.commands.execute(new CancelConditionCommand(action.conditionId));
        await this.executions.exitChanged(action.conditionId, { status: 'cancelled', reason: 'the position was sold by another exit' });
      } else if (action.kind === 'resize') {
        await this.commands.execute(new AdjustConditionCommand(action.conditionId, { amount: action.amount.toFixed() }));
        await this.executions.exitChanged(action.conditionId, { amount: action.amount });
      } else {
        await this.commands.execute(new AdjustConditionCommand(action.conditionId, { moveTo: 'breakEven', allowImmediate: true }));
        await this.executions.exitChanged(action.conditionId, { breakEven: true });
      }
    } catch (error) {
      // The exit is firing or over (it sold, or the position is gone): it follows its own course.
      if (!(error instanceof ConflictError) && !(error instanceof ValidationError)) throw error;
      this.logger.warn(`execution ${executionId}: ${action.kind} of ${action.conditionId} refused: ${error.message}`);
      if (action.kind === 'cancel')
        await this.executions.exitChanged(action.conditionId, { status: 'cancelled', reason: `not cancelled: ${error.message}` });
    }
  }

  async expireEntry(executionId: string): Promise<void> {
    const { row } = await this.executions.get(executionId);
    if (row.status !== 'pending' || !row.orderId) return;
    try {
      await this.commands.execute(new CancelOrderCommand(row.orderId, 'template-expiry'));
    } catch (error) {
      // Filled or cancelled meanwhile: the order's own end settles the execution.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

function executionOf(message: OutboxMessage): string {
  return (message.payload as { executionId: string }).executionId;
}

/** The condition request of one planned exit: explicit amount and prices, computed from the fill. */
function conditionRequest(row: TemplateExecutionOrmEntity, exit: TemplateExecutionExitOrmEntity): CreateConditionInput {
  const common = { accountId: row.accountId, symbol: row.symbol, amount: exit.amount.toFixed() };
  const execution = exit.execution ? { execution: { ...exit.execution } } : {};
  if (exit.role === 'trailing_stop')
    return {
      kind: 'trailing_stop',
      ...common,
      trailPercent: exit.trailPercent!.toFixed(),
      ...(exit.activationPrice ? { activationPrice: exit.activationPrice.toFixed() } : {}),
    };
  // Crossed already (the price moved between the fill and now): firing at once is what protects.
  return { kind: exit.role, ...common, triggerPrice: exit.triggerPrice!.toFixed(), allowImmediate: true, ...execution };
}
