import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus, CommandHandlerNotFoundException, QueryBus } from '@nestjs/cqrs';
import { ClosePositionCommand, PlaceOrderCommand, type PlaceOrderResult, PositionClosedError } from '@tradedesk/orders';
import {
  ConflictError,
  type Decimal,
  dec,
  DomainError,
  Outbox,
  type OutboxMessage,
  RetryLater,
  UnitOfWork,
  ValidationError,
} from '@tradedesk/shared';
import { ConditionFiredEvent } from '../../domain/condition.events.js';
import { exitLimitPrice, type ExitTerms, liquidatesPosition } from '../../domain/exit-order.js';
import { ConditionOrmEntity } from '../../infrastructure/persistence/condition.orm-entity.js';
import { FIRE_TOPIC } from '../condition-engine.js';
import { causeOf, dustLeft, exitOrderSpec, exitTermsOf } from '../condition-orders.js';
import { ConditionOutcomes } from '../condition-outcomes.js';
import { ConditionSettlement } from '../condition-settlement.js';
import { appendTimeline, compareAndSet } from '../condition-store.js';
import { RunTemplateActionCommand, type TemplateActionRun } from '../template-action.js';

/**
 * Consumes condition firing intents (outbox topic `conditions.fire`): places the order of a FIRING
 * condition and marks it FIRED. The idempotency key is derived from the condition and its firing
 * number, so a re-delivered intent returns the order placed the first time.
 */
@Injectable()
export class ConditionIntentConsumer implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly outcomes: ConditionOutcomes,
    private readonly settlement: ConditionSettlement,
  ) {}

  onModuleInit(): void {
    this.outbox.register(FIRE_TOPIC, (m) => this.handle(m));
  }

  async handle(message: OutboxMessage): Promise<void> {
    const { conditionId, firing, key: payloadKey } = message.payload as { conditionId: string; firing: number; key?: string };
    const row = await this.uow.autocommit((manager) => manager.findOne(ConditionOrmEntity, { where: { id: conditionId } }));
    // A redelivery after a crash between recording the order and settling: catch up from the order.
    if (row?.status === 'FIRED' && row.lastOrderId) return this.settlement.catchUp(row.lastOrderId);
    if (row?.status !== 'FIRING') return;
    if (row.version !== firing) return; // an earlier firing's intent (a recurring rule fires again and again)
    // Intents written before keys were numbered by firing carry none: they keep the key they were placed under.
    const key = payloadKey ?? `cond-${row.id}-${firing}`;
    let orderId: string;
    try {
      orderId = await this.place(row, key);
    } catch (error) {
      return this.placementFailed(row, error);
    }
    await this.markFired(row, orderId, key);
    // The order may already have ended before its id was recorded here: catch up from its state.
    await this.settlement.catchUp(orderId);
  }

  /**
   * Why the order could not be placed decides what the condition does: nothing left to sell →
   * CANCELLED "position closed"; the exchange away or busy → retried, without giving up (a stop
   * that stops retrying never fires); refused by a rule → FAILED with the reason.
   */
  private async placementFailed(row: ConditionOrmEntity, error: unknown): Promise<void> {
    if (error instanceof PositionClosedError) return this.outcomes.cancelClosed(row, error.reason, error.closedBy);
    if (error instanceof DomainError && (error.kind === 'unavailable' || error.kind === 'rate_limited')) {
      const retryAfterMs = typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 2_000;
      throw new RetryLater(`${error.code}: ${error.message}`, Math.min(30_000, Math.max(500, retryAfterMs)));
    }
    if (error instanceof DomainError && error.kind !== 'internal') return this.outcomes.fail(row, `${error.code}: ${error.message}`);
    throw error;
  }

  private async markFired(row: ConditionOrmEntity, orderId: string, key: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const orderIds = [...new Set([...(JSON.parse(row.orderIds) as string[]), orderId])];
      if (
        !(await compareAndSet(tx, row.id, ['FIRING'], undefined, {
          status: 'FIRED',
          lastOrderId: orderId,
          orderIds: JSON.stringify(orderIds),
        }))
      )
        return;
      await appendTimeline(tx, row.id, [{ event: 'fired', status: 'FIRED', details: { orderId, idempotencyKey: key } }]);
      tx.publish(
        new ConditionFiredEvent({ conditionId: row.id, kind: row.kind, accountId: row.accountId, symbol: row.symbol, status: 'FIRED' }),
      );
    });
  }

  /** A conditional's order, a liquidation (`all`, `balance`), or an exit of a fixed or percentage size. */
  private async place(row: ConditionOrmEntity, key: string): Promise<string> {
    const cause = causeOf(row.kind);
    if (row.kind === 'conditional') return this.placeAction(row, cause, key);
    const terms = exitTermsOf(row)!;
    const trigger = row.firedTrigger ?? row.firedPrice!;
    if (liquidatesPosition(terms)) {
      const result: PlaceOrderResult = await this.commands.execute(
        new ClosePositionCommand(row.accountId, row.symbol!, cause, {
          idempotencyKey: key,
          scope: terms.amount === 'balance' ? 'balance' : 'position',
          referencePrice: trigger,
          ...(terms.executionType === 'limit' ? { limitPrice: exitLimitPrice(terms, trigger) } : {}),
        }),
      );
      return result.orderId;
    }
    return this.placeExit(row, terms, trigger, cause, key);
  }

  private async placeAction(row: ConditionOrmEntity, cause: string, key: string): Promise<string> {
    const action = JSON.parse(row.action!) as Record<string, unknown>;
    if (typeof action.template === 'string') return this.runTemplate(row, action, key);
    const a = action as Record<string, string>;
    const result: PlaceOrderResult = await this.commands.execute(
      new PlaceOrderCommand(
        {
          accountId: row.accountId,
          symbol: a.symbol,
          side: a.side as 'buy' | 'sell',
          type: a.type as 'market' | 'limit',
          ...(a.amount ? { amount: dec(a.amount) } : {}),
          ...(a.cost ? { cost: dec(a.cost) } : {}),
          ...(a.price ? { price: dec(a.price) } : {}),
        },
        { purpose: 'conditional', cause, idempotencyKey: key },
      ),
    );
    return result.orderId;
  }

  /** A template action: the templates context runs it under the firing's key and answers its entry order. */
  private async runTemplate(row: ConditionOrmEntity, action: Record<string, unknown>, key: string): Promise<string> {
    const command = new RunTemplateActionCommand(
      row.accountId,
      { templateId: action.template as string, overrides: (action.overrides ?? {}) as Record<string, unknown> },
      key,
      row.id,
    );
    try {
      const run: TemplateActionRun = await this.commands.execute(command);
      return run.orderId;
    } catch (error) {
      if (error instanceof CommandHandlerNotFoundException)
        throw new ValidationError('CONDITION.TEMPLATES_UNAVAILABLE', 'order templates are not available in this server');
      throw error;
    }
  }

  private async placeExit(row: ConditionOrmEntity, terms: ExitTerms, trigger: Decimal, cause: string, key: string): Promise<string> {
    const market = { accountId: row.accountId, symbol: row.symbol! };
    const exit = await exitOrderSpec(this.queries, market, terms, trigger);
    try {
      const result: PlaceOrderResult = await this.commands.execute(
        new PlaceOrderCommand(exit.spec, { purpose: 'protective', cause, idempotencyKey: key, positionExit: { referencePrice: trigger } }),
      );
      return result.orderId;
    } catch (error) {
      const dust = dustLeft(error, exit);
      if (dust) throw dust;
      if (error instanceof ValidationError && error.code === 'ORDER.INSUFFICIENT_BALANCE') {
        // The coins may have just been sold by another exit of the position whose order was not
        // recorded when this one was sized: size again from the position as it is now.
        const again = await exitOrderSpec(this.queries, market, terms, trigger);
        if (again.spec.amount!.lt(exit.spec.amount!))
          throw new RetryLater('the position shrank while this exit was sized; sizing it again', 200);
      }
      // A re-delivered intent sized from a position that has since changed: the first order stands.
      if (error instanceof ConflictError && error.code === 'ORDER.IDEMPOTENCY_KEY_REUSED' && typeof error.details?.orderId === 'string')
        return error.details.orderId;
      throw error;
    }
  }
}
