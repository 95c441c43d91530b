import { Injectable, Logger } from '@nestjs/common';
import type { OrderFacts, OrderStatus, OrderView } from '@tradedesk/orders';
import { dec, ZERO } from '@tradedesk/shared';
import type { TemplateExecutionOrmEntity } from '../infrastructure/persistence/template-execution.orm-entity.js';
import { type EntryOutcome, ExecutionRepository } from '../infrastructure/persistence/execution.repository.js';
import { ExecutionPlanner } from './planning/execution-planner.js';

/** The facts of the entry order the settlement needs (an order event's, or the order as the orders context shows it). */
export type EntryOrderFacts = Pick<OrderFacts, 'status' | 'filled' | 'average' | 'cost' | 'fee' | 'feeCurrency'>;

/**
 * The first step of the saga: the entry order ended. Filled (fully, or partly and then cancelled or
 * expired), the exits are planned from the actual average fill and the amount actually received,
 * and queued for arming; nothing filled, the execution failed. Safe to run twice: the repository
 * settles an execution once.
 */
@Injectable()
export class EntrySettlement {
  private readonly logger = new Logger('TemplateEntrySettlement');

  constructor(
    private readonly executions: ExecutionRepository,
    private readonly planner: ExecutionPlanner,
  ) {}

  async settle(execution: TemplateExecutionOrmEntity, order: EntryOrderFacts): Promise<void> {
    if (execution.status !== 'pending') return;
    const ended = order.status === 'FILLED' || order.status === 'CANCELED' || order.status === 'REJECTED';
    if (!ended) return;
    const filled = dec(order.filled);
    if (filled.lte(0)) {
      await this.executions.entryUnfilled(execution.id, `the entry order ended ${order.status} with nothing filled`);
      return;
    }
    const outcome = outcomeOf(order, execution.plan.base, execution.plan.quote);
    const { exits, notes } =
      execution.side === 'buy' && outcome.average
        ? await this.planner.exitsForFill(execution.accountId, execution.symbol, execution.plan.exits, {
            average: outcome.average,
            net: outcome.received,
          })
        : { exits: [], notes: [] };
    for (const note of notes) this.logger.warn(`execution ${execution.id}: ${note.field}: ${note.message}`);
    await this.executions.entrySettled(
      execution.id,
      outcome,
      exits,
      notes.map((n) => `${n.field}: ${n.message}`),
    );
  }
}

/** What the entry bought and paid: a fee in the base coin comes off what was received, a fee in quote adds to what was paid. */
export function outcomeOf(order: EntryOrderFacts, base: string, quote: string): EntryOutcome {
  const filled = dec(order.filled);
  const fee = order.fee ? dec(order.fee) : ZERO;
  const cost = dec(order.cost);
  return {
    filled,
    average: order.average ? dec(order.average) : filled.gt(0) ? cost.div(filled) : null,
    received: order.feeCurrency === base ? filled.minus(fee) : filled,
    paid: order.feeCurrency === quote ? cost.plus(fee) : cost,
  };
}

/** The entry as GET /api/orders/:id shows it, in the terms of an order event. */
export function entryFactsOf(order: OrderView): EntryOrderFacts {
  return {
    status: order.status as OrderStatus,
    filled: order.filled,
    cost: order.filledCost,
    ...(order.average ? { average: order.average } : {}),
    ...(order.fee ? { fee: order.fee } : {}),
    ...(order.feeCurrency ? { feeCurrency: order.feeCurrency } : {}),
  };
}
