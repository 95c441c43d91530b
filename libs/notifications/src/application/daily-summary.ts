import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { dec, UnitOfWork, ZERO } from '@tradedesk/shared';
import { Between } from 'typeorm';
import { NotificationOrmEntity } from '../infrastructure/persistence/notification.orm-entity.js';
import { NotificationsConfig } from '../notifications.config.js';
import { RecordNotificationCommand } from './commands/record-notification/record-notification.command.js';
import { dayIn } from './rendering/format.js';

const CHECK_MS = 60_000;

/** The UTC instant a local day starts in a zone (found by the zone's offset at that day's noon). */
export function startOfDay(day: string, timeZone: string): Date {
  const noonUtc = new Date(`${day}T12:00:00Z`);
  const local = new Date(noonUtc.toLocaleString('en-US', { timeZone }));
  const utc = new Date(noonUtc.toLocaleString('en-US', { timeZone: 'UTC' }));
  const offsetMs = local.getTime() - utc.getTime();
  return new Date(Date.parse(`${day}T00:00:00Z`) - offsetMs);
}

/**
 * Once a day at NOTIFY_DAILY_SUMMARY (local time in NOTIFY_TIMEZONE), a summary of the day before:
 * fills, trades completed and their PnL per currency, alerts — read from the notifications themselves.
 * Keyed by the day, so two instances or a restart never send it twice.
 */
@Injectable()
export class DailySummary implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DailySummary');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly uow: UnitOfWork,
    private readonly commands: CommandBus,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.dailySummaryAt) return;
    this.timer = setInterval(() => void this.tick(new Date()), CHECK_MS);
    this.timer.unref();
    // Down at the summary's time: it goes at the next start (keyed by the day, never twice).
    void this.tick(new Date());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Sends the previous day's summary once the local time has passed the configured one. */
  async tick(now: Date): Promise<void> {
    const at = this.config.dailySummaryAt;
    if (!at) return;
    const zone = this.config.timeZone;
    const today = dayIn(now, zone);
    const localTime = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      now,
    );
    if (localTime < at) return;
    const yesterday = dayIn(new Date(startOfDay(today, zone).getTime() - 12 * 3600_000), zone);
    try {
      await this.send(yesterday);
    } catch (error) {
      this.logger.warn(`daily summary of ${yesterday} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async send(day: string): Promise<void> {
    const from = startOfDay(day, this.config.timeZone);
    const to = new Date(
      startOfDay(dayIn(new Date(from.getTime() + 36 * 3600_000), this.config.timeZone), this.config.timeZone).getTime() - 1,
    );
    const rows = await this.uow.autocommit((m) => m.find(NotificationOrmEntity, { where: { createdAt: Between(from, to) } }));
    const pnl = new Map<string, ReturnType<typeof dec>>();
    for (const r of rows.filter((n) => n.type === 'trade.completed')) {
      const quote = textOf(r.data.quote) ?? '';
      pnl.set(quote, (pnl.get(quote) ?? ZERO).plus(dec(textOf(r.data.realizedPnl) ?? '0')));
    }
    await this.commands.execute(
      new RecordNotificationCommand({
        type: 'daily.summary',
        subject: 'daily',
        factKeys: [`daily.summary:${day}`],
        ignoreCooldown: true,
        data: {
          day,
          timeZone: this.config.timeZone,
          fills: rows.filter((n) => ['order.filled', 'exit.filled', 'trade.completed'].includes(n.type)).length,
          tradesCompleted: rows.filter((n) => n.type === 'trade.completed').length,
          realizedPnl: Object.fromEntries([...pnl].map(([currency, value]) => [currency, value.toFixed()])),
          alerts: rows.filter((n) => n.severity === 'critical').length,
          at: new Date().toISOString(),
        },
      }),
    );
  }
}

/** A stored notification's field as text (its data is JSON: a quote or an amount is a string, or a number). */
function textOf(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
