import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Outbox, type TransactionScope, UnitOfWork } from '@tradedesk/shared';
import { In, MoreThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { NotificationDraft } from '../../../domain/notification-draft.js';
import type { NotificationRule } from '../../../domain/notification-rule.js';
import { ruleTypeOf, specOf } from '../../../domain/notification-types.js';
import { NotificationDeliveryOrmEntity } from '../../../infrastructure/persistence/notification-delivery.orm-entity.js';
import { NotificationFactOrmEntity } from '../../../infrastructure/persistence/notification-fact.orm-entity.js';
import { NotificationOrmEntity } from '../../../infrastructure/persistence/notification.orm-entity.js';
import { NotificationsConfig, presetFor } from '../../../notifications.config.js';
import { DELIVERY_PRIORITY, deliveryTopic } from '../../delivery/delivery-topic.js';
import { NotificationStream } from '../../notification-stream.js';
import { NotificationRules } from '../../notification-rules.js';
import { renderNotification } from '../../rendering/render-notification.js';
import { RecordNotificationCommand, type RecordOutcome } from './record-notification.command.js';

/**
 * Any key of the same constant: every instance writing notifications takes this PostgreSQL lock for
 * its transaction, so ids are handed out in commit order (the live stream's resume relies on it)
 * and two writers of one fact never both pass the "told already" check. SQLite writers are serialized anyway.
 */
const NOTIFICATIONS_LOCK = 7_350_115;

/** Drafts recorded per transaction at most. */
const DRAFTS_PER_TRANSACTION = 50;

interface PlannedDelivery {
  channel: 'email' | 'webhook';
  recipient: string;
  target: string;
  key: string;
  silent: boolean;
}

@CommandHandler(RecordNotificationCommand)
export class RecordNotificationHandler implements ICommandHandler<RecordNotificationCommand, RecordOutcome> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly rules: NotificationRules,
    private readonly config: NotificationsConfig,
    private readonly stream: NotificationStream,
  ) {}

  /**
   * Drafts arriving together (a burst of fills, each telling its own) are recorded in one
   * transaction, each in a savepoint of its own: one commit and one lock for the lot, and a draft
   * that fails answers its error alone.
   */
  execute({ draft }: RecordNotificationCommand): Promise<RecordOutcome> {
    return new Promise<RecordOutcome>((resolve, reject) => {
      this.waiting.push({ draft, resolve, reject });
      this.writing ??= this.writeWaiting().finally(() => (this.writing = undefined));
    });
  }

  private readonly waiting: Array<{
    draft: NotificationDraft;
    resolve: (outcome: RecordOutcome) => void;
    reject: (error: unknown) => void;
  }> = [];
  private writing: Promise<void> | undefined;

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, DRAFTS_PER_TRANSACTION);
      try {
        const rules = await Promise.all(batch.map(({ draft }) => this.rules.of(ruleTypeOf(draft.type))));
        const outcomes = await this.uow.runTogether(
          batch.map(
            ({ draft }, i) =>
              (tx: TransactionScope) =>
                this.record(tx, draft, rules[i]),
          ),
          async (manager) => {
            if (this.uow.driver === 'postgres') await manager.query('SELECT pg_advisory_xact_lock($1)', [NOTIFICATIONS_LOCK]);
          },
        );
        outcomes.forEach((outcome, i) => (outcome.ok ? batch[i].resolve(outcome.value) : batch[i].reject(outcome.error)));
      } catch (error) {
        // The commit itself failed: none of the batch was written (the sweep tells what it was about).
        for (const item of batch) item.reject(error);
      }
    }
  }

  private async record(tx: TransactionScope, draft: NotificationDraft, rule: NotificationRule): Promise<RecordOutcome> {
    const now = new Date();
    const told = await tx.manager.find(NotificationFactOrmEntity, { where: { factKey: In(draft.factKeys) } });
    if (told.length > 0) {
      // Facts told along with another (a fill inside its trade's notification) are marked, not told again.
      await this.markTold(tx, draft.factKeys, told, told[0].notificationId, now);
      return { recorded: false, why: 'told-already' };
    }
    if (Object.values(rule.channels).every((mode) => mode === 'off')) {
      await this.markTold(tx, draft.factKeys, [], null, now);
      return { recorded: false, why: 'all-channels-off' };
    }
    if (!draft.ignoreCooldown && rule.cooldownSeconds > 0) {
      const recent = await tx.manager.count(NotificationOrmEntity, {
        where: { type: draft.type, subject: draft.subject, createdAt: MoreThan(new Date(now.getTime() - rule.cooldownSeconds * 1000)) },
      });
      if (recent > 0) {
        await this.markTold(tx, draft.factKeys, [], null, now);
        return { recorded: false, why: 'cooldown' };
      }
    }
    const rendered = renderNotification(draft.type, draft.data, this.config.locale, this.config.timeZone);
    const row = Object.assign(new NotificationOrmEntity(), {
      type: draft.type,
      severity: specOf(draft.type).severity,
      subject: draft.subject.slice(0, 200),
      title: rendered.title.slice(0, 300),
      body: rendered.text,
      data: draft.data,
      webMode: rule.channels.web,
      createdAt: now,
      // Silent on the web: kept in the list, never an unread alert.
      readAt: rule.channels.web === 'on' ? null : now,
    });
    const inserted = await tx.manager.insert(NotificationOrmEntity, row as QueryDeepPartialEntity<NotificationOrmEntity>);
    const notificationId = Number((inserted.identifiers[0] as { id: number | string }).id);
    await this.markTold(tx, draft.factKeys, [], notificationId, now);
    const planned = this.plan(rule);
    for (const d of planned) {
      const id = randomUUID();
      await tx.manager.insert(NotificationDeliveryOrmEntity, {
        id,
        notificationId,
        channel: d.channel,
        uniqueKey: `${notificationId}:${d.key}`,
        recipient: d.recipient,
        target: d.target,
        silent: d.silent,
        status: 'pending',
        attempts: 0,
        lastError: null,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
      });
      await this.outbox.enqueue(tx, deliveryTopic(d.channel), { deliveryId: id }, { priority: DELIVERY_PRIORITY });
    }
    if (rule.channels.web === 'on') tx.afterCommit(() => this.stream.wake());
    return { recorded: true, notificationId, deliveries: planned.length };
  }

  private async markTold(
    tx: TransactionScope,
    keys: readonly string[],
    told: readonly NotificationFactOrmEntity[],
    notificationId: number | null,
    now: Date,
  ): Promise<void> {
    const known = new Set(told.map((t) => t.factKey));
    const rows = [...new Set(keys)].filter((k) => !known.has(k)).map((factKey) => ({ factKey, notificationId, recordedAt: now }));
    if (rows.length > 0) await tx.manager.insert(NotificationFactOrmEntity, rows);
  }

  /** Push deliveries of a rule: email to each recipient unless silent (the daily summary carries those), the webhook once. */
  private plan(rule: NotificationRule): PlannedDelivery[] {
    const planned: PlannedDelivery[] = [];
    if (this.config.smtp && rule.channels.email === 'on') {
      const recipients = rule.recipients.length > 0 ? rule.recipients : this.config.emailTo;
      for (const address of recipients)
        planned.push({ channel: 'email', recipient: address, target: address, key: `email:${address.toLowerCase()}`, silent: false });
    }
    const url = rule.webhookUrl ?? this.config.webhook?.url;
    if (url && rule.channels.webhook !== 'off') {
      const preset = url === this.config.webhook?.url ? this.config.webhook.preset : presetFor(url);
      const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
      planned.push({
        channel: 'webhook',
        recipient: `${preset} ${new URL(url).origin}`,
        target: url,
        key: `webhook:${digest}`,
        silent: rule.channels.webhook === 'silent',
      });
    }
    return planned;
  }
}
