import { createHash } from 'node:crypto';
import { CommandBus, CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { GetOrderQuery, type OrderView, PlaceOrderCommand, type PlaceOrderResult } from '@tradedesk/orders';
import { ConflictError, DomainError } from '@tradedesk/shared';
import { parseIsoDuration } from '@tradedesk/conditions';
import type { ExecutionOverrides, ExecutionSource, ExecutionStatus } from '../../domain/execution.js';
import { parseOverrides } from '../../domain/execution-overrides.js';
import { ExecutionRepository, type NewExecution } from '../../infrastructure/persistence/execution.repository.js';
import type { TemplateExecutionOrmEntity } from '../../infrastructure/persistence/template-execution.orm-entity.js';
import { type StoredTemplate, TemplateRepository } from '../../infrastructure/persistence/template.repository.js';
import { EntrySettlement, entryFactsOf } from '../entry-settlement.js';
import { entryKeyOf } from '../entry-key.js';
import { ExecutionPlanner, type PlannedExecution } from '../planning/execution-planner.js';

/** Runs a template now: its entry is placed; the saga arms its exits once the entry fills. */
export class ExecuteTemplateCommand {
  constructor(
    readonly templateId: string,
    /** The request's overrides as given (checked here). */
    readonly overrides: unknown,
    readonly options: { idempotencyKey?: string; source?: ExecutionSource; sourceId?: string; sideOverride?: boolean } = {},
  ) {}
}

/** api.md: `{ executionId, orderId, status }`; `created` false when an Idempotency-Key answered an earlier execution. */
export interface ExecuteTemplateResult {
  executionId: string;
  orderId: string | null;
  status: ExecutionStatus;
  created: boolean;
}

/**
 * Records the execution before the entry is placed (so the entry's fill always finds it), places the
 * entry through the orders context under a key derived from the execution (placed once), and checks
 * the entry right after: an order that filled before its id was recorded is settled here rather
 * than waiting for the sweep. A plan that breaks an exchange rule (below the minimum, not enough
 * balance) is a 400 naming the field, and nothing is recorded or placed.
 */
@CommandHandler(ExecuteTemplateCommand)
export class ExecuteTemplateHandler implements ICommandHandler<ExecuteTemplateCommand, ExecuteTemplateResult> {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly executions: ExecutionRepository,
    private readonly planner: ExecutionPlanner,
    private readonly settlement: EntrySettlement,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async execute({ templateId, overrides: given, options }: ExecuteTemplateCommand): Promise<ExecuteTemplateResult> {
    const overrides = parseOverrides(given, { side: options.sideOverride });
    const template = await this.templates.executable(templateId);
    const hash = createHash('sha256').update(JSON.stringify({ templateId, overrides })).digest('hex');
    const key = options.idempotencyKey;
    const earlier = key ? await this.executions.byKey(key) : null;
    if (earlier) return replayOf(earlier, hash);
    const plan = await this.planner.plan(template.definition, overrides);
    if (plan.blocking) throw plan.blocking;
    const { row, created } = await this.executions.insert(newExecution(template, plan, overrides, { ...options, requestHash: hash }));
    if (!created) return replayOf(row, hash);
    const orderId = await this.placeEntry(row, plan);
    const expiresAfterMs = row.plan.entry.expiresAfterMs;
    await this.executions.entryPlaced(row.id, orderId, expiresAfterMs ? new Date(Date.now() + expiresAfterMs) : undefined);
    const entry: OrderView = await this.queries.execute(new GetOrderQuery(orderId, { timeline: false }));
    await this.settlement.settle({ ...row, orderId }, entryFactsOf(entry));
    const now = await this.executions.get(row.id);
    return { executionId: row.id, orderId, status: now.row.status, created: true };
  }

  /** The entry through the orders context, once (its key is the execution's); a refusal fails the execution and is answered as it is. */
  private async placeEntry(row: TemplateExecutionOrmEntity, plan: PlannedExecution): Promise<string> {
    const order = plan.order!;
    try {
      const placed: PlaceOrderResult = await this.commands.execute(
        new PlaceOrderCommand(
          {
            accountId: row.accountId,
            symbol: row.symbol,
            side: order.side,
            type: order.type === 'limit' ? 'limit' : 'market',
            ...(order.amount ? { amount: order.amount } : {}),
            ...(order.cost ? { cost: order.cost } : {}),
            ...(order.price ? { price: order.price } : {}),
          },
          {
            idempotencyKey: entryKeyOf(row.id),
            purpose: row.source === 'condition' ? 'conditional' : 'manual',
            // The order timeline's cause is a short word (32 characters); the execution names the template and version.
            cause: 'template',
          },
        ),
      );
      return placed.orderId;
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'TEMPLATE.ENTRY_NOT_PLACED';
      await this.executions.fail(row.id, code, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}

/** The execution as recorded before its entry is placed: where, what, and the exit terms of the version it uses. */
function newExecution(
  template: StoredTemplate,
  plan: PlannedExecution,
  overrides: ExecutionOverrides,
  options: ExecuteTemplateCommand['options'] & { requestHash: string },
): NewExecution {
  const { target, entry, order } = plan;
  const terms = target.terms;
  const expiresAfter = terms.entry.type === 'limit' ? terms.entry.expiresAfter : undefined;
  const expiresAfterMs = expiresAfter ? parseIsoDuration(expiresAfter) : undefined;
  return {
    templateId: template.id,
    templateVersion: template.version,
    source: options.source ?? 'api',
    sourceId: options.sourceId ?? null,
    accountId: target.account.id,
    exchange: target.account.exchange,
    symbol: target.market.symbol,
    side: terms.side,
    idempotencyKey: options.idempotencyKey ?? null,
    requestHash: options.requestHash,
    plan: {
      entry: {
        type: entry.type,
        ...(order?.amount ? { amount: order.amount.toFixed() } : {}),
        ...(order?.cost ? { cost: order.cost.toFixed() } : {}),
        ...(order?.price ? { price: order.price.toFixed() } : {}),
        expectedPrice: entry.expectedPrice.toFixed(),
        ...(expiresAfterMs ? { expiresAfterMs } : {}),
      },
      exits: terms.side === 'buy' ? (terms.exits ?? null) : null,
      overrides: JSON.parse(JSON.stringify(overrides)) as ExecutionOverrides,
      base: target.market.base,
      quote: target.market.quote,
    },
  };
}

function replayOf(
  earlier: { id: string; orderId: string | null; status: ExecutionStatus; requestHash: string | null },
  hash: string,
): ExecuteTemplateResult {
  if (earlier.requestHash !== hash)
    throw new ConflictError('TEMPLATE.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key: already used for another execution request', {
      field: 'Idempotency-Key',
      executionId: earlier.id,
    });
  return { executionId: earlier.id, orderId: earlier.orderId, status: earlier.status, created: false };
}
