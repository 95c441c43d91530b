import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MAX_PAGE_LIMIT, NotFoundError, selectRows, UnitOfWork } from '@tradedesk/shared';
import { Between, type FindOptionsWhere, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { OrderStatus } from '../../domain/order-status.js';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { OrderTimelineOrmEntity } from '../../infrastructure/persistence/order-timeline.orm-entity.js';
import { TradeOrmEntity } from '../../infrastructure/persistence/trade.orm-entity.js';
import {
  type OrderView,
  type Page,
  type TimelineEntryView,
  toOrderView,
  toTimelineEntryView,
  toTradeView,
  type TradeView,
} from './order-views.js';

export class GetOrderQuery {
  /** `timeline: false` when only the order's state is wanted (one read instead of a transaction of two). */
  constructor(
    readonly orderId: string,
    readonly options: { timeline?: boolean } = {},
  ) {}
}

/** An order's timeline, oldest first, a page at a time (GET /api/orders/:id/timeline). */
export class GetOrderTimelineQuery {
  constructor(
    readonly orderId: string,
    readonly limit: number,
    readonly offset: number,
  ) {}
}

export interface OrderFilter {
  accountId?: string;
  symbol?: string;
  status?: OrderStatus;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export class ListOrdersQuery {
  constructor(readonly filter: OrderFilter) {}
}

export class ListTradesQuery {
  constructor(readonly filter: Omit<OrderFilter, 'status'> & { orderId?: string }) {}
}

function timeRange(from?: Date, to?: Date) {
  if (from && to) return Between(from, to);
  if (from) return MoreThanOrEqual(from);
  if (to) return LessThanOrEqual(to);
  return undefined;
}

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery, OrderView> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ orderId, options }: GetOrderQuery): Promise<OrderView> {
    // Two reads without a transaction: on PostgreSQL a READ COMMITTED transaction gave each
    // statement its own snapshot anyway; on SQLite nothing can write between them (writer mutex).
    // Every placed order is read back here: without the query builder (bench/orders, issue 14).
    return this.uow.autocommit(async (manager) => {
      const [order] = await selectRows(manager, OrderOrmEntity, { where: { id: orderId } });
      if (!order) throw new NotFoundError('ORDER.NOT_FOUND', `No order with id ${orderId}`);
      if (options.timeline === false) return toOrderView(order);
      // The first page of the timeline; the rest through GET /api/orders/:id/timeline.
      const timeline = await selectRows(manager, OrderTimelineOrmEntity, {
        where: { orderId },
        orderBy: { property: 'id', direction: 'ASC' },
        limit: MAX_PAGE_LIMIT,
      });
      return toOrderView(order, timeline);
    });
  }
}

@QueryHandler(GetOrderTimelineQuery)
export class GetOrderTimelineHandler implements IQueryHandler<GetOrderTimelineQuery, Page<TimelineEntryView>> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ orderId, limit, offset }: GetOrderTimelineQuery): Promise<Page<TimelineEntryView>> {
    return this.uow.autocommit(async (manager) => {
      if (!(await manager.exists(OrderOrmEntity, { where: { id: orderId } })))
        throw new NotFoundError('ORDER.NOT_FOUND', `No order with id ${orderId}`);
      const [rows, total] = await manager.findAndCount(OrderTimelineOrmEntity, {
        where: { orderId },
        order: { id: 'ASC' },
        take: limit,
        skip: offset,
      });
      return { items: rows.map(toTimelineEntryView), total, limit, offset };
    });
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery, Page<OrderView>> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ filter }: ListOrdersQuery): Promise<Page<OrderView>> {
    const where: FindOptionsWhere<OrderOrmEntity> = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.symbol) where.symbol = filter.symbol;
    if (filter.status) where.status = filter.status;
    const createdAt = timeRange(filter.from, filter.to);
    if (createdAt) where.createdAt = createdAt;
    const [rows, total] = await this.uow.run(({ manager }) =>
      manager.findAndCount(OrderOrmEntity, { where, order: { createdAt: 'DESC', id: 'DESC' }, take: filter.limit, skip: filter.offset }),
    );
    return { items: rows.map((o) => toOrderView(o)), total, limit: filter.limit, offset: filter.offset };
  }
}

@QueryHandler(ListTradesQuery)
export class ListTradesHandler implements IQueryHandler<ListTradesQuery, Page<TradeView>> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ filter }: ListTradesQuery): Promise<Page<TradeView>> {
    const where: FindOptionsWhere<TradeOrmEntity> = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.symbol) where.symbol = filter.symbol;
    if (filter.orderId) where.orderId = filter.orderId;
    const timestamp = timeRange(filter.from, filter.to);
    if (timestamp) where.timestamp = timestamp;
    const [rows, total] = await this.uow.run(({ manager }) =>
      manager.findAndCount(TradeOrmEntity, { where, order: { timestamp: 'DESC', id: 'DESC' }, take: filter.limit, skip: filter.offset }),
    );
    return { items: rows.map(toTradeView), total, limit: filter.limit, offset: filter.offset };
  }
}
