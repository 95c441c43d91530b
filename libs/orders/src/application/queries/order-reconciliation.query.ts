import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderTracker } from '../order-tracker.js';

/**
 * Whether the start-up reconciliation of live orders with their exchanges has finished: nothing
 * may fire exits before it has (a stop would act on a position whose fills are not yet recorded).
 */
export class GetOrderReconciliationQuery {}

export interface OrderReconciliation {
  reconciled: boolean;
}

@QueryHandler(GetOrderReconciliationQuery)
export class GetOrderReconciliationHandler implements IQueryHandler<GetOrderReconciliationQuery, OrderReconciliation> {
  constructor(private readonly tracker: OrderTracker) {}

  execute(): Promise<OrderReconciliation> {
    return Promise.resolve({ reconciled: this.tracker.reconciled });
  }
}
