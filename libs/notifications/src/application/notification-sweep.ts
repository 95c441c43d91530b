import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { type ConditionPage, ListConditionsQuery } from '@tradedesk/conditions';
import { ListOrdersQuery, ListRoundTripsQuery, type OrderFacts, type OrderView, type Page, type RoundTripFacts } from '@tradedesk/orders';
import { UnitOfWork } from '@tradedesk/shared';
import type { NotificationDraft } from '../domain/notification-draft.js';
import { ExitOrigins } from '../infrastructure/exit-origins.js';
import { NotificationOrmEntity } from '../infrastructure/persistence/notification.orm-entity.js';
import { NotificationsConfig } from '../notifications.config.js';
import { RecordNotificationCommand, type RecordOutcome } from './commands/record-notification/record-notification.command.js';
import { type OrderFact, orderDraft, tradeCompletedDraft } from './order-drafts.js';

/** How far back facts are looked for. */
const WINDOW_MS = 24 * 3600_000;
const PAGE = 500;
const SWEPT_ORDER_STATUSES = ['FILLED', 'REJECTED', 'UNKNOWN'] as const;
type SweptOrderStatus = (typeof SWEPT_ORDER_STATUSES)[number];

/** Facts settled between these instants are swept. */
interface SweepWindow {
  from: Date;
  to: Date;
}

function factsOf(o: OrderView): OrderFacts {
  return {
    orderId: o.id,
    accountId: o.accountId,
    exchange: o.exchange,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status as OrderFacts['status'],
    clientOrderId: o.clientOrderId,
    ...(o.exchangeOrderId ? { exchangeOrderId: o.exchangeOrderId } : {}),
    purpose: o.purpose as OrderFacts['purpose'],
    filled: o.filled,
    ...(o.average ? { average: o.average } : {}),
    cost: o.filledCost,
    ...(o.fee ? { fee: o.fee } : {}),
    ...(o.feeCurrency ? { feeCurrency: o.feeCurrency } : {}),
  };
}

/**
 * The crash window: a fact commits, then its events are published in memory, and the process may
 * die before the notification's own transaction. At start and then every NOTIFY_SWEEP_EVERY_MS,
 * facts of the last day that are older than NOTIFY_SWEEP_SETTLE_MS (the live path has had its
 * chance) are told the way the live path tells them, under the same fact keys — so a fact told
 * already is skipped, and one never told is told once. Covered: trades completed, fills, rejected
 * orders, orders needing attention, failed conditions.
 */
@Injectable()
export class NotificationSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotificationSweep');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly config: NotificationsConfig,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly origins: ExitOrigins,
    private readonly uow: UnitOfWork,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweep.everyMs);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (passes never overlap); resolves with how many notifications it recorded. */
  sweep(now = new Date()): Promise<void> {
    this.running ??= this.pass(now)
      .catch((error: unknown) => this.logger.warn(`notification sweep failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<void> {
    const window = await this.windowOf(now);
    if (!window) return;
    let told = await this.tellCompletedTrades(window);
    told += await this.tellSettledOrders(window);
    told += await this.tellFailedConditions(window);
    if (told > 0)
      this.logger.warn(`told ${told} fact(s) whose notification had not been recorded (a crash between a fact and its notification)`);
  }

  /** The last day up to the settle time, or nothing when that is empty. */
  private async windowOf(now: Date): Promise<SweepWindow | undefined> {
    const to = new Date(now.getTime() - this.config.sweep.settleMs);
    // Never before notifications existed here: an upgrade must not tell a day of old fills at once.
    const first = await this.uow.autocommit((m) =>
      m.find(NotificationOrmEntity, { select: { createdAt: true }, order: { id: 'ASC' }, take: 1 }),
    );
    const from = new Date(Math.max(now.getTime() - WINDOW_MS, first[0]?.createdAt.getTime() ?? now.getTime()));
    return from < to ? { from, to } : undefined;
  }

  private async tellCompletedTrades({ from, to }: SweepWindow): Promise<number> {
    let told = 0;
    const trips = await this.queries.execute<ListRoundTripsQuery, RoundTripFacts[]>(new ListRoundTripsQuery({ from, to, limit: PAGE }));
    for (const trip of trips) {
      const closing: OrderFact | undefined =
        trip.closingOrder && trip.closingOrder.status === 'FILLED' ? { kind: 'filled', order: trip.closingOrder } : undefined;
      const origin = trip.closingOrder ? await this.origins.of(trip.closingOrder) : undefined;
      told += await this.tell(tradeCompletedDraft(trip, closing, origin));
    }
    return told;
  }

  /** Fills, rejections and orders needing attention, once they last changed before the settle time. */
  private async tellSettledOrders({ from, to }: SweepWindow): Promise<number> {
    let told = 0;
    for (const status of SWEPT_ORDER_STATUSES) {
      const page = await this.queries.execute<ListOrdersQuery, Page<OrderView>>(
        new ListOrdersQuery({ status, from, to, limit: PAGE, offset: 0 }),
      );
      for (const view of page.items) {
        if (Date.parse(view.updatedAt) > to.getTime()) continue;
        const order = factsOf(view);
        const fact = orderFactOf(status, view, order);
        if (!fact) continue;
        const origin = await this.origins.of(order);
        told += await this.tell(orderDraft(fact, new Date(view.updatedAt), origin));
      }
    }
    return told;
  }

  private async tellFailedConditions({ from, to }: SweepWindow): Promise<number> {
    let told = 0;
    const failed = await this.queries.execute<ListConditionsQuery, ConditionPage>(
      new ListConditionsQuery({ status: 'FAILED', limit: PAGE, offset: 0 }),
    );
    for (const c of failed.items) {
      const at = Date.parse(c.updatedAt);
      if (at < from.getTime() || at > to.getTime()) continue;
      told += await this.tell({
        type: 'condition.failed',
        subject: `condition:${c.id}`,
        factKeys: [`condition.failed:${c.id}`],
        data: {
          conditionId: c.id,
          kind: c.kind,
          accountId: c.accountId,
          symbol: c.symbol,
          status: c.status,
          reason: c.failureReason,
          at: c.updatedAt,
        },
      });
    }
    return told;
  }

  private async tell(draft: NotificationDraft | undefined): Promise<number> {
    if (!draft) return 0;
    const outcome = await this.commands.execute<RecordNotificationCommand, RecordOutcome>(new RecordNotificationCommand(draft));
    return outcome.recorded ? 1 : 0;
  }
}

/** What an order in a swept status tells: a fill, a rejection, or (only when it needs attention) an unknown outcome. */
function orderFactOf(status: SweptOrderStatus, view: OrderView, order: OrderFacts): OrderFact | undefined {
  if (status === 'FILLED') return { kind: 'filled', order };
  if (status === 'REJECTED') return { kind: 'rejected', order, reason: view.rejectReason ?? 'rejected' };
  return view.needsAttention ? { kind: 'unknown', order } : undefined;
}
