import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@tradedesk/shared';
import { defaultRule, type NotificationRule } from '../domain/notification-rule.js';
import { isNotificationType, NOTIFICATION_TYPE_NAMES, type NotificationType } from '../domain/notification-types.js';
import { NotificationRuleOrmEntity } from '../infrastructure/persistence/notification-rule.orm-entity.js';
import type { ChannelMode } from '../domain/notification-types.js';

/** Rules read again at most this often: another instance may have changed them. */
const FRESH_MS = 2000;

/** The rules in force: the stored ones over each type's defaults, read through a short cache. */
@Injectable()
export class NotificationRules {
  private cached: { at: number; rules: Map<NotificationType, NotificationRule> } | undefined;

  constructor(private readonly uow: UnitOfWork) {}

  async all(): Promise<Map<NotificationType, NotificationRule>> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.rules;
    const rows = await this.uow.autocommit((manager) => manager.find(NotificationRuleOrmEntity));
    const rules = new Map(NOTIFICATION_TYPE_NAMES.map((type) => [type, defaultRule(type)]));
    for (const row of rows) {
      if (!isNotificationType(row.type)) continue;
      const base = defaultRule(row.type);
      rules.set(row.type, {
        ...base,
        channels: { ...base.channels, ...(row.channels as Record<string, ChannelMode>) },
        threshold: row.threshold,
        cooldownSeconds: row.cooldownSeconds,
        recipients: row.recipients,
        webhookUrl: row.webhookUrl,
      });
    }
    this.cached = { at: Date.now(), rules };
    return rules;
  }

  async of(type: NotificationType): Promise<NotificationRule> {
    return (await this.all()).get(type)!;
  }

  /** Stores changed rules in one transaction (all or none). */
  async save(rules: readonly NotificationRule[]): Promise<void> {
    const now = new Date();
    await this.uow.run(async ({ manager }) => {
      for (const rule of rules)
        await manager.save(
          Object.assign(new NotificationRuleOrmEntity(), {
            type: rule.type,
            channels: rule.channels,
            threshold: rule.threshold,
            cooldownSeconds: rule.cooldownSeconds,
            recipients: rule.recipients,
            webhookUrl: rule.webhookUrl,
            updatedAt: now,
          }),
        );
    });
    this.cached = undefined;
  }
}
