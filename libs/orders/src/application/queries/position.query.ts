import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type Decimal, MAX_PAGE_LIMIT, UnitOfWork, ZERO } from '@tradedesk/shared';
import { Between, In } from 'typeorm';
import type { RoundTripFacts } from '../../domain/order.events.js';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { orderFacts } from '../order-ledger.js';
import { PositionEventOrmEntity } from '../../infrastructure/persistence/position-event.orm-entity.js';
import { PositionOrmEntity } from '../../infrastructure/persistence/position.orm-entity.js';
import { bookOf } from '../../infrastructure/persistence/position.repository.js';
import { type ClosedBy, closedBy, exitRoom } from '../position-room.js';

/** One position's exact figures and what an exit may still sell of it (for arming and firing exits). */
export class GetPositionQuery {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
  ) {}
}

export interface PositionFacts {
  accountId: string;
  symbol: string;
  /** What tradedesk bought here (and the user adopted), less what it sold. */
  quantity: Decimal;
  /** Unrounded; undefined while flat. */
  averageEntry: Decimal | undefined;
  costBasis: Decimal;
  /** The unfilled rest of the position's live sell orders. */
  committed: Decimal;
  /** quantity − committed, never below zero: the most a new exit may sell. */
  available: Decimal;
  /** With less available than held (or nothing held): the order that sold the position last or holds part of it. */
  closedBy?: ClosedBy;
}

@QueryHandler(GetPositionQuery)
export class GetPositionHandler implements IQueryHandler<GetPositionQuery, PositionFacts> {
  constructor(private readonly uow: UnitOfWork) {}

  execute({ accountId, symbol }: GetPositionQuery): Promise<PositionFacts> {
    // One snapshot of the position and its live sells (SQLite: no writer in between).
    return this.uow.autocommit(async (manager) => {
      const row = await manager.findOne(PositionOrmEntity, { where: { accountId, symbol } });
      const book = row ? bookOf(row) : undefined;
      const figures = book?.figures();
      const room = await exitRoom(manager, { accountId, symbol }, figures?.quantity);
      // Whatever sold the rest, or holds it: named when an exit finds less than it wanted.
      const by = room.available.lt(room.quantity) || room.quantity.isZero() ? await closedBy(manager, { accountId, symbol }) : undefined;
      return {
        accountId,
        symbol,
        quantity: room.quantity,
        averageEntry: figures?.averageEntry,
        costBasis: figures?.costBasis ?? ZERO,
        committed: room.committed,
        available: room.available,
        ...(by ? { closedBy: by } : {}),
      };
    });
  }
}

/** A position's timeline, oldest first. */
export class GetPositionTimelineQuery {
  constructor(
    readonly accountId: string,
    readonly symbol: string,
    /** A page of it, oldest first: at most MAX_PAGE_LIMIT lines. */
    readonly limit: number = MAX_PAGE_LIMIT,
    readonly offset = 0,
  ) {}
}

export interface PositionTimelineLine {
  at: string;
  event: string;
  details: Record<string, unknown>;
}

@QueryHandler(GetPositionTimelineQuery)
export class GetPositionTimelineHandler implements IQueryHandler<GetPositionTimelineQuery, PositionTimelineLine[]> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ accountId, symbol, limit, offset }: GetPositionTimelineQuery): Promise<PositionTimelineLine[]> {
    const rows = await this.uow.autocommit((manager) =>
      manager.find(PositionEventOrmEntity, {
        where: { accountId, symbol },
        order: { at: 'ASC', id: 'ASC' },
        take: Math.min(limit, MAX_PAGE_LIMIT),
        skip: offset,
      }),
    );
    return rows.map((r) => ({
      at: r.at.toISOString(),
      event: r.event,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
    }));
  }
}

/**
 * The round trips that closed between two moments, oldest first, as PositionClosedEvent told them:
 * for a reader that must not miss one (the notifications' sweep after a crash).
 */
export class ListRoundTripsQuery {
  constructor(readonly filter: { from: Date; to: Date; limit: number }) {}
}

@QueryHandler(ListRoundTripsQuery)
export class ListRoundTripsHandler implements IQueryHandler<ListRoundTripsQuery, RoundTripFacts[]> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ filter }: ListRoundTripsQuery): Promise<RoundTripFacts[]> {
    return this.uow.autocommit(async (manager) => {
      const lines = await manager.find(PositionEventOrmEntity, {
        where: { event: 'closed', at: Between(filter.from, filter.to) },
        order: { at: 'ASC', id: 'ASC' },
        take: filter.limit,
      });
      const details = lines.map((l) => (l.details ? JSON.parse(l.details) : {}) as ClosedLineDetails);
      const orderIds = [...new Set(details.map((d) => d.orderId).filter((id): id is string => typeof id === 'string'))];
      const orders = new Map(
        (orderIds.length > 0 ? await manager.find(OrderOrmEntity, { where: { id: In(orderIds) } }) : []).map((o) => [o.id, o]),
      );
      // Lines written before round trips were kept have no figures: they are not told.
      return lines.flatMap((line, i) => {
        const d = details[i];
        if (!d.roundTrip) return [];
        const order = d.orderId ? orders.get(d.orderId) : undefined;
        return [
          {
            accountId: line.accountId,
            exchange: order?.exchange ?? '',
            symbol: line.symbol,
            positionEventId: line.id,
            openedAt: d.openedAt ?? null,
            closedAt: line.at.toISOString(),
            realizedPnl: d.roundTrip.realizedPnl,
            positionRealizedPnl: d.realizedPnl ?? d.roundTrip.realizedPnl,
            fees: d.roundTrip.fees,
            bought: d.roundTrip.bought,
            returnPercent: d.roundTrip.returnPercent,
            ...(order ? { closingOrder: orderFacts(order) } : {}),
          },
        ];
      });
    });
  }
}

interface ClosedLineDetails {
  orderId?: string;
  realizedPnl?: string;
  openedAt?: string | null;
  roundTrip?: { realizedPnl: string; fees: string; bought: string; returnPercent: string | null };
}
