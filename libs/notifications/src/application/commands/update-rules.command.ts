import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { parseRuleChanges } from '../../domain/notification-rule.js';
import { NotificationRules } from '../notification-rules.js';
import { GetNotificationRulesHandler, type RuleView } from '../queries/get-rules.query.js';

/** Changes the rules of the types named in the body; a type not named keeps its rule. All or nothing. */
export class UpdateNotificationRulesCommand {
  constructor(readonly body: unknown) {}
}

@CommandHandler(UpdateNotificationRulesCommand)
export class UpdateNotificationRulesHandler implements ICommandHandler<UpdateNotificationRulesCommand, { rules: RuleView[] }> {
  constructor(private readonly rules: NotificationRules) {}

  async execute({ body }: UpdateNotificationRulesCommand): Promise<{ rules: RuleView[] }> {
    // Every rule is checked before anything is stored: a bad one leaves all as they were.
    const changed = parseRuleChanges(body, await this.rules.all());
    await this.rules.save(changed);
    return new GetNotificationRulesHandler(this.rules).execute();
  }
}
