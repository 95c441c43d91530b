import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { insertRows, Outbox, SerialDrain, type TransactionScope, UnitOfWork } from '@tradedesk/shared';
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

interface Waiting {
  draft: NotificationDraft;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * The facts of a batch of drafts: which were told before (one read for the batch) and which are
 * told now (one insert for the batch, before commit). A fact told by an earlier draft of the same
 * batch counts as told for the later ones.
 */
class FactsTold {
  private readonly fresh: Array<{ factKey: string; notificationId: number | null; recordedAt: Date }> = [];

  private constructor(private readonly told: Map<string, number | null>) {}

  static async read(tx: TransactionScope, keys: readonly string[]): Promise<FactsTold> {
    const told = new Map<string, number | null>();
    for (let i = 0; i < keys.length; i += FACT_KEYS_PER_READ) {
      const rows = await tx.manager.find(NotificationFactOrmEntity, { where: { factKey: In(keys.slice(i, i + FACT_KEYS_PER_READ)) } });
      for (const row of rows) told.set(row.factKey, row.notificationId);
    }
    return new FactsTold(told);
  }

  /** The notification (or null: none was sent) that told one of these facts already; undefined when none was told. */
  toldIn(keys: readonly string[]): number | null | undefined {
    const key = keys.find((k) => this.told.has(k));
    return key === undefined ? undefined : this.told.get(key);
  }

  /** Marks the facts not told yet as told by `notificationId`. */
  tell(keys: readonly string[], notificationId: number | null, now: Date): void {
    for (const factKey of keys) {
      if (this.told.has(factKey)) continue;
      this.told.set(factKey, notificationId);
      this.fresh.push({ factKey, notificationId, recordedAt: now });
    }
  }

  async write(tx: TransactionScope): Promise<void> {
    await insertRows(tx.manager, NotificationFactOrmEntity, this.fresh.splice(0));
  }
}

/** Fact keys per IN (...) read. */
const FACT_KEYS_PER_READ = 500;

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
   * transaction: one read of the facts told already and one insert of the facts told now for the
   * lot, one commit and one lock. If that transaction fails, each draft is recorded again in a
   * transaction of its own, so a failure is only its own draft's.
   */
  execute({ draft }: RecordNotificationCommand): Promise<RecordOutcome> {
    return new Promise<RecordOutcome>((resolve, reject) => {
      this.waiting.push({ draft, resolve, reject });
      this.writing.kick();
    });
  }

  private readonly waiting: Waiting[] = [];
  private readonly writing = new SerialDrain(
    () => this.writeWaiting(),
    () => this.waiting.length > 0,
  );

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, DRAFTS_PER_TRANSACTION);
      try {
        const outcomes = await this.recordTogether(batch);
        outcomes.forEach((outcome, i) => batch[i].resolve(outcome));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else
          for (const item of batch)
            await this.recordTogether([item]).then(
              ([outcome]) => item.resolve(outcome),
              (e: unknown) => item.reject(e),
            );
      }
    }
  }

  private async recordTogether(batch: readonly Waiting[]): Promise<RecordOutcome[]> {
    const rules = await Promise.all(batch.map(({ draft }) => this.rules.of(ruleTypeOf(draft.type))));
    return this.uow.run(async (tx) => {
      if (this.uow.driver === 'postgres') await tx.manager.query('SELECT pg_advisory_xact_lock($1)', [NOTIFICATIONS_LOCK]);
      const facts = await FactsTold.read(tx, [...new Set(batch.flatMap(({ draft }) => draft.factKeys))]);
      const outcomes: RecordOutcome[] = [];
      for (const [i, { draft }] of batch.entries()) outcomes.push(await this.record(tx, facts, draft, rules[i]));
      await facts.write(tx);
      return outcomes;
    });
  }

  private async record(tx: TransactionScope, facts: FactsTold, draft: NotificationDraft, rule: NotificationRule): Promise<RecordOutcome> {
    const now = new Date();
    const toldIn = facts.toldIn(draft.factKeys);
    if (toldIn !== undefined) {
      // Facts told along with another (a fill inside its trade's notification) are marked, not told again.
      facts.tell(draft.factKeys, toldIn, now);
      return { recorded: false, why: 'told-already' };
    }
    if (Object.values(rule.channels).every((mode) => mode === 'off')) {
      facts.tell(draft.factKeys, null, now);
      return { recorded: false, why: 'all-channels-off' };
    }
    if (!draft.ignoreCooldown && rule.cooldownSeconds > 0) {
      const recent = await tx.manager.count(NotificationOrmEntity, {
        where: { type: draft.type, subject: draft.subject, createdAt: MoreThan(new Date(now.getTime() - rule.cooldownSeconds * 1000)) },
      });
      if (recent > 0) {
        facts.tell(draft.factKeys, null, now);
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
    facts.tell(draft.factKeys, notificationId, now);
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
