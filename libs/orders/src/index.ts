// Orders context: placing orders exactly once, following them to their end, fills, positions and PnL.
export * from './domain/order-status.js';
export * from './domain/order.events.js';
export { PositionBook, type Fill, type PositionFigures } from './domain/position-book.js';
export { PlaceOrderCommand, type PlaceOrderResult } from './application/commands/place-order.js';
export { OrderPlacement, type OrderSpec, type PreparedOrder, type StartedOrders, clientOrderIdFor } from './application/order-placement.js';
export { PlaceOcoSellCommand, type OcoSellSpec, type PlaceOcoSellResult } from './application/commands/place-oco-sell.js';
export { CancelOrderCommand } from './application/commands/cancel-order.js';
export { ReconcileOrdersCommand } from './application/commands/reconcile-orders.js';
export { ClosePositionCommand, type ClosePositionResult, type CloseScope } from './application/commands/close-position.js';
export { AdoptPositionCommand, type AdoptPositionResult } from './application/commands/adopt-position.js';
export { GetOrderQuery, ListOrdersQuery, ListTradesQuery } from './application/queries/orders.queries.js';
export {
  GetPositionsQuery,
  type PositionsReport,
  type PositionView,
  type ProtectionStatus,
  GetProtectionStatusQuery,
  type ProtectionStatuses,
} from './application/queries/positions.query.js';
export {
  GetPositionQuery,
  GetPositionTimelineQuery,
  ListRoundTripsQuery,
  type PositionFacts,
} from './application/queries/position.query.js';
export { GetPnlSummaryQuery, type PnlSummary, type OpenPositionPnl } from './application/queries/pnl-summary.query.js';
export { GetOrderReconciliationQuery, type OrderReconciliation } from './application/queries/order-reconciliation.query.js';
export { PositionClosedError, type ClosedBy } from './application/position-room.js';
export type { OrderView, TradeView, Page } from './application/queries/order-views.js';
export * from './orders.module.js';
export { OrdersConfig } from './orders.config.js';

import { OrderOrmEntity } from './infrastructure/persistence/order.orm-entity.js';
import { OrderTimelineOrmEntity } from './infrastructure/persistence/order-timeline.orm-entity.js';
import { PositionEventOrmEntity } from './infrastructure/persistence/position-event.orm-entity.js';
import { PositionOrmEntity } from './infrastructure/persistence/position.orm-entity.js';
import { TradeOrmEntity } from './infrastructure/persistence/trade.orm-entity.js';

/** Tables owned by the orders context (for the persistence schema). */
export const ordersEntities = [OrderOrmEntity, OrderTimelineOrmEntity, TradeOrmEntity, PositionOrmEntity, PositionEventOrmEntity];
