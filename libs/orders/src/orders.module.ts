import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExchangesModule } from '@tradedesk/exchanges';
import { AdoptPositionHandler } from './application/commands/adopt-position.js';
import { CancelOrderHandler } from './application/commands/cancel-order.js';
import { ClosePositionHandler } from './application/commands/close-position.js';
import { PlaceOcoSellHandler } from './application/commands/place-oco-sell.js';
import { PlaceOrderHandler } from './application/commands/place-order.js';
import { ReconcileOrdersHandler } from './application/commands/reconcile-orders.js';
import { OrderLedger } from './application/order-ledger.js';
import { OrderPlacement } from './application/order-placement.js';
import { OrderSubmission } from './application/order-submission.js';
import { OrderTracker } from './application/order-tracker.js';
import { GetOrderHandler, GetOrderTimelineHandler, ListOrdersHandler, ListTradesHandler } from './application/queries/orders.queries.js';
import { GetOrderReconciliationHandler } from './application/queries/order-reconciliation.query.js';
import { GetPositionHandler, GetPositionTimelineHandler, ListRoundTripsHandler } from './application/queries/position.query.js';
import { GetPositionsHandler } from './application/queries/positions.query.js';
import { GetPnlSummaryHandler } from './application/queries/pnl-summary.query.js';
import { PnlController } from './interface/http/pnl.controller.js';
import { OrdersController } from './interface/http/orders.controller.js';

const CommandHandlers = [
  AdoptPositionHandler,
  PlaceOrderHandler,
  PlaceOcoSellHandler,
  CancelOrderHandler,
  ClosePositionHandler,
  ReconcileOrdersHandler,
];
const QueryHandlers = [
  GetOrderHandler,
  GetOrderTimelineHandler,
  ListOrdersHandler,
  ListTradesHandler,
  GetPositionsHandler,
  GetPositionHandler,
  GetPositionTimelineHandler,
  ListRoundTripsHandler,
  GetOrderReconciliationHandler,
  GetPnlSummaryHandler,
];

/** Orders: the lifecycle that never sends an order twice, fills, positions and PnL. */
@Module({
  imports: [ExchangesModule, TerminusModule],
  controllers: [OrdersController, PnlController],
  providers: [OrderLedger, OrderSubmission, OrderPlacement, OrderTracker, ...CommandHandlers, ...QueryHandlers],
  exports: [OrderPlacement],
})
export class OrdersModule {}
