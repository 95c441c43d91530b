import { Module } from '@nestjs/common';
import { ExchangesModule } from '@tradedesk/exchanges';
import { ExecuteTemplateHandler } from './application/commands/execute-template.js';
import {
  CreateTemplateHandler,
  DeleteTemplateHandler,
  DuplicateTemplateHandler,
  ImportTemplatesHandler,
  UpdateTemplateHandler,
} from './application/commands/manage-templates.js';
import { ExecutionSagaConsumer } from './application/consumers/execution-saga.consumer.js';
import { EntrySettlement } from './application/entry-settlement.js';
import { FollowExecutionsWhenOrdersEndHandler } from './application/event-handlers/follow-executions-when-orders-end.handler.js';
import { ExecutionSweep } from './application/execution-sweep.js';
import {
  CreateHookHandler,
  DeleteHookHandler,
  ListHookCallsHandler,
  ListHooksHandler,
  ReceiveSignalHandler,
} from './application/hooks/hook-commands.js';
import { ExecutionPlanner } from './application/planning/execution-planner.js';
import {
  ExportTemplatesHandler,
  GetExecutionHandler,
  GetTemplateHandler,
  ListExecutionsHandler,
  ListTemplatesHandler,
  ListTemplateVersionsHandler,
  PreviewTemplateHandler,
} from './application/queries/template.queries.js';
import { CheckTemplateActionHandler, RunTemplateActionHandler } from './application/template-action.handlers.js';
import { ExecutionRepository } from './infrastructure/persistence/execution.repository.js';
import { HookRepository } from './infrastructure/persistence/hook.repository.js';
import { TemplateRepository } from './infrastructure/persistence/template.repository.js';
import { HooksController } from './interface/http/hooks.controller.js';
import { TemplatesController } from './interface/http/templates.controller.js';

const CommandHandlers = [
  CreateTemplateHandler,
  UpdateTemplateHandler,
  DeleteTemplateHandler,
  DuplicateTemplateHandler,
  ImportTemplatesHandler,
  ExecuteTemplateHandler,
  RunTemplateActionHandler,
  CreateHookHandler,
  DeleteHookHandler,
  ReceiveSignalHandler,
];
const QueryHandlers = [
  GetTemplateHandler,
  ListTemplatesHandler,
  ListTemplateVersionsHandler,
  ExportTemplatesHandler,
  PreviewTemplateHandler,
  GetExecutionHandler,
  ListExecutionsHandler,
  CheckTemplateActionHandler,
  ListHooksHandler,
  ListHookCallsHandler,
];
const EventHandlers = [FollowExecutionsWhenOrdersEndHandler];

/** Order templates: saved relative presets, their preview and execution (entry, then exits armed from the fill), and signed webhooks. */
@Module({
  imports: [ExchangesModule],
  controllers: [TemplatesController, HooksController],
  providers: [
    TemplateRepository,
    ExecutionRepository,
    HookRepository,
    ExecutionPlanner,
    EntrySettlement,
    ExecutionSagaConsumer,
    ExecutionSweep,
    ...CommandHandlers,
    ...QueryHandlers,
    ...EventHandlers,
  ],
})
export class TemplatesModule {}
