import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { NotificationRule } from '../../domain/notification-rule.js';
import { NotificationRules } from '../notification-rules.js';

export class GetNotificationRulesQuery {}

/** A rule as answers show it: a webhook URL only by its origin (its path may be a secret). */
export type RuleView = Omit<NotificationRule, 'webhookUrl'> & { webhookUrl: string | null };

export function toRuleView(rule: NotificationRule): RuleView {
  return { ...rule, webhookUrl: rule.webhookUrl ? `${new URL(rule.webhookUrl).origin}/…` : null };
}

@QueryHandler(GetNotificationRulesQuery)
export class GetNotificationRulesHandler implements IQueryHandler<GetNotificationRulesQuery, { rules: RuleView[] }> {
  constructor(private readonly rules: NotificationRules) {}

  async execute(): Promise<{ rules: RuleView[] }> {
    return { rules: [...(await this.rules.all()).values()].map(toRuleView) };
  }
}
