import { CommandBus, CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  CheckTemplateActionQuery,
  RunTemplateActionCommand,
  type TemplateActionCheck,
  type TemplateActionRun,
} from '@tradedesk/conditions';
import { NotFoundError, ValidationError } from '@tradedesk/shared';
import { parseOverrides } from '../domain/execution-overrides.js';
import { TemplateRepository } from '../infrastructure/persistence/template.repository.js';
import { ExecuteTemplateCommand, type ExecuteTemplateResult } from './commands/execute-template.js';
import { ExecutionPlanner } from './planning/execution-planner.js';

/** A conditional naming a template, at arming: the template exists, runs on this account, and its overrides fit. */
@QueryHandler(CheckTemplateActionQuery)
export class CheckTemplateActionHandler implements IQueryHandler<CheckTemplateActionQuery, TemplateActionCheck> {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly planner: ExecutionPlanner,
  ) {}

  async execute({ accountId, action }: CheckTemplateActionQuery): Promise<TemplateActionCheck> {
    return underThen(async () => {
      const overrides = parseOverrides(action.overrides);
      const template = await this.templates.executable(action.templateId, 'template');
      const target = await this.planner.target(template.definition, { ...overrides, accountId });
      return { symbol: target.market.symbol, side: target.terms.side };
    });
  }
}

/** A conditional naming a template, at firing: the template runs on the condition's account, once per firing key. */
@CommandHandler(RunTemplateActionCommand)
export class RunTemplateActionHandler implements ICommandHandler<RunTemplateActionCommand, TemplateActionRun> {
  constructor(private readonly commands: CommandBus) {}

  async execute({ accountId, action, idempotencyKey, conditionId }: RunTemplateActionCommand): Promise<TemplateActionRun> {
    const result: ExecuteTemplateResult = await this.commands.execute(
      new ExecuteTemplateCommand(
        action.templateId,
        { ...action.overrides, accountId },
        { idempotencyKey, source: 'condition', sourceId: conditionId },
      ),
    );
    if (!result.orderId)
      throw new ValidationError('TEMPLATE.ENTRY_NOT_PLACED', `template execution ${result.executionId} placed no entry (${result.status})`);
    return { executionId: result.executionId, orderId: result.orderId };
  }
}

/** A template rule broken at arming names its field under `then`, where the conditional request gave it. */
async function underThen<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError) && !(error instanceof NotFoundError)) throw error;
    const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
    const at = field === 'template' ? 'then.template' : `then.overrides${field ? `.${field}` : ''}`;
    const Named = error instanceof ValidationError ? ValidationError : NotFoundError;
    throw new Named(error.code, `${at}: ${error.message.replace(/^[^:]*: /, '')}`, { ...error.details, field: at });
  }
}
