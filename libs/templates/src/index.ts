// Templates context: saved relative order presets — preview, one-call execution with exits armed from the actual fill, signed webhooks.
export { ExecuteTemplateCommand, type ExecuteTemplateResult } from './application/commands/execute-template.js';
export { GetExecutionQuery, GetTemplateQuery } from './application/queries/template.queries.js';
export * from './templates.module.js';
export { TemplatesConfig } from './templates.config.js';

import { OrderTemplateOrmEntity, OrderTemplateVersionOrmEntity } from './infrastructure/persistence/order-template.orm-entity.js';
import { TemplateHookCallOrmEntity, TemplateHookOrmEntity } from './infrastructure/persistence/template-hook.orm-entity.js';
import {
  TemplateExecutionEventOrmEntity,
  TemplateExecutionExitOrmEntity,
  TemplateExecutionOrmEntity,
} from './infrastructure/persistence/template-execution.orm-entity.js';

/** Tables owned by the templates context (for the persistence schema). */
export const templatesEntities = [
  OrderTemplateOrmEntity,
  OrderTemplateVersionOrmEntity,
  TemplateExecutionOrmEntity,
  TemplateExecutionExitOrmEntity,
  TemplateExecutionEventOrmEntity,
  TemplateHookOrmEntity,
  TemplateHookCallOrmEntity,
];
