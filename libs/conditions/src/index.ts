// Conditions context: stop-loss, trailing stop, take-profit, brackets and conditional orders, fired exactly once.
export * from './domain/condition.types.js';
export { observeTrailing, trailingTrigger, type TrailingSpec, type TrailingState, type TrailingStep } from './domain/trailing.js';
export { MarketTriggerBook, SortedBook, type BookEntry, type BookHit, type FiredLeg } from './domain/trigger-book.js';
export {
  parseWhen,
  evaluateWhen,
  nextDueAt,
  isRecurring,
  parseIsoDuration,
  type WhenNode,
  type WhenContext,
  type Occurrence,
} from './domain/when-tree.js';
export { CronSchedule, CronScheduleError } from './domain/cron-schedule.js';
export * from './domain/condition.events.js';
export { type CreateConditionInput, type AdjustConditionInput } from './application/commands/condition-requests.js';
export { ArmConditionCommand } from './application/commands/arm-condition.js';
export { AdjustConditionCommand } from './application/commands/adjust-condition.js';
export { PauseConditionCommand, ResumeConditionCommand, CancelConditionCommand } from './application/commands/hold-condition.js';
export { GetConditionQuery, ListConditionsQuery, type ConditionPage } from './application/queries/get-condition.query.js';
export {
  CheckTemplateActionQuery,
  RunTemplateActionCommand,
  type TemplateAction,
  type TemplateActionCheck,
  type TemplateActionRun,
} from './application/template-action.js';
export { parseAmount } from './application/arming-checks.js';
export { ConditionEngine, FIRE_TOPIC, premiumOf, type TickReport } from './application/condition-engine.js';
export { EvaluateTriggersCommand } from './application/commands/evaluate-triggers.js';
export { EvaluateDueConditionsCommand } from './application/commands/evaluate-due-conditions.js';
export { GetWatchedMarketsQuery, type WatchedMarkets } from './application/queries/watched-markets.query.js';
export type { ConditionView, ConditionTimelineView } from './application/condition-views.js';
export { ConditionsConfig } from './conditions.config.js';
export * from './conditions.module.js';

import { ConditionTimelineOrmEntity } from './infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from './infrastructure/persistence/condition.orm-entity.js';

/** Tables owned by the conditions context (for the persistence schema). */
export const conditionsEntities = [ConditionOrmEntity, ConditionTimelineOrmEntity];
