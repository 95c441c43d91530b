import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ExchangeCallFailedEvent, ExchangeCallSucceededEvent, type ExchangeVenueFacts } from '@tradedesk/exchanges';
import { UnitOfWork } from '@tradedesk/shared';
import { In, MoreThan } from 'typeorm';
import type { NotificationDraft } from '../../domain/notification-draft.js';
import { ExchangeIncidents, type IncidentChange } from '../../domain/exchange-incidents.js';
import { NotificationOrmEntity } from '../../infrastructure/persistence/notification.orm-entity.js';
import { RecordNotificationCommand } from '../commands/record-notification/record-notification.command.js';
import { NotificationRules } from '../notification-rules.js';

const RESOLVE_CHECK_MS = 500;
/** Incidents told before a restart are looked for this far back. */
const RESTORE_WINDOW_MS = 7 * 24 * 3600_000;

const venueOf = (v: ExchangeVenueFacts) => `${v.exchange}:${v.mode}`;

/**
 * Exchange unavailable / recovered / rate limited, from the exchanges context's call outcomes:
 * `threshold` failed calls in a row open an incident (one "unavailable"), and it resolves (one
 * "recovered") once the exchange has answered for the rule's cooldown without a failure.
 */
@Injectable()
@EventsHandler(ExchangeCallFailedEvent, ExchangeCallSucceededEvent)
export class NotifyWhenExchangeAvailabilityChangesHandler
  implements IEventHandler<ExchangeCallFailedEvent | ExchangeCallSucceededEvent>, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('ExchangeNotifications');
  private readonly incidents = new ExchangeIncidents();
  private readonly venues = new Map<string, ExchangeVenueFacts>();
  private cooldownMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly commands: CommandBus,
    private readonly rules: NotificationRules,
    private readonly uow: UnitOfWork,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const told = await this.uow.autocommit((m) =>
      m.find(NotificationOrmEntity, {
        where: { type: In(['exchange.unavailable', 'exchange.recovered']), createdAt: MoreThan(new Date(Date.now() - RESTORE_WINDOW_MS)) },
        order: { id: 'ASC' },
      }),
    );
    const last = new Map(told.map((n) => [n.subject, n]));
    for (const [subject, n] of last)
      if (n.type === 'exchange.unavailable') this.incidents.restoreOpen(subject.replace(/^venue:/, ''), new Date(String(n.data.since)));
    this.cooldownMs = (await this.rules.of('exchange.unavailable')).cooldownSeconds * 1000;
    this.timer = setInterval(() => void this.resolveDue(), RESOLVE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async handle(event: ExchangeCallFailedEvent | ExchangeCallSucceededEvent): Promise<void> {
    const venue = venueOf(event.venue);
    this.venues.set(venue, event.venue);
    if (event instanceof ExchangeCallSucceededEvent) {
      this.incidents.succeeded(venue, event.at);
      return;
    }
    try {
      const rules = await this.rules.all();
      this.cooldownMs = rules.get('exchange.unavailable')!.cooldownSeconds * 1000;
      if (event.rateLimited) {
        if (event.failuresInARow === rules.get('exchange.rate_limited')!.threshold) await this.record(this.rateLimitedDraft(event));
        return;
      }
      const change = this.incidents.failed(venue, event.at, event.reason, rules.get('exchange.unavailable')!.threshold);
      if (change) await this.record(this.draftOf(change));
    } catch (error) {
      this.logger.error(`could not record an exchange notification: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async resolveDue(): Promise<void> {
    for (const change of this.incidents.resolve(new Date(), () => this.cooldownMs)) {
      try {
        await this.record(this.draftOf(change));
      } catch (error) {
        this.logger.error(`could not record an exchange notification: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private draftOf(change: IncidentChange): NotificationDraft {
    const facts = this.venues.get(change.venue);
    const [exchange, mode] = change.venue.split(':') as [string, string];
    const base = { exchange, mode, accountId: facts?.accountId ?? null, label: facts?.label ?? null, since: change.since.toISOString() };
    const subject = `venue:${change.venue}`;
    if (change.kind === 'unavailable')
      return {
        type: 'exchange.unavailable',
        subject,
        factKeys: [`exchange.unavailable:${change.venue}:${change.since.getTime()}`],
        data: { ...base, reason: change.reason, failuresInARow: change.failuresInARow, at: change.since.toISOString() },
      };
    return {
      type: 'exchange.recovered',
      subject,
      factKeys: [`exchange.recovered:${change.venue}:${change.since.getTime()}`],
      data: { ...base, at: change.at.toISOString(), downSeconds: Math.round((change.at.getTime() - change.since.getTime()) / 1000) },
    };
  }

  private rateLimitedDraft(event: ExchangeCallFailedEvent): NotificationDraft {
    const venue = venueOf(event.venue);
    return {
      type: 'exchange.rate_limited',
      subject: `venue:${venue}`,
      factKeys: [`exchange.rate_limited:${venue}:${event.at.getTime()}`],
      data: {
        exchange: event.venue.exchange,
        mode: event.venue.mode,
        accountId: event.venue.accountId,
        reason: event.reason,
        at: event.at.toISOString(),
      },
    };
  }

  private async record(draft: NotificationDraft): Promise<void> {
    await this.commands.execute(new RecordNotificationCommand(draft));
  }
}
