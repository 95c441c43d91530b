import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways, OrderNotFound } from '@tradedesk/exchanges';
import { ConflictError, NotFoundError, UnitOfWork } from '@tradedesk/shared';
import { Not } from 'typeorm';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { OrderCanceledEvent } from '../../domain/order.events.js';
import { isTerminal } from '../../domain/order-status.js';
import { OrderLedger, orderFacts } from '../order-ledger.js';
import { laneOf, lookUp } from '../order-submission.js';

export class CancelOrderCommand {
  constructor(
    readonly orderId: string,
    readonly cause = 'api',
  ) {}
}

/** Cancels an order: locally when it never left, otherwise at the exchange, then records what the exchange says. */
@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand, void> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly ledger: OrderLedger,
  ) {}

  async execute({ orderId, cause }: CancelOrderCommand): Promise<void> {
    const order = await this.uow.run(async (tx) => {
      const row = await this.ledger.lock(tx.manager, orderId);
      if (!row) throw new NotFoundError('ORDER.NOT_FOUND', `No order with id ${orderId}`);
      if (isTerminal(row.status))
        throw new ConflictError('ORDER.NOT_CANCELABLE', `The order is already ${row.status}`, { status: row.status });
      if (row.status === 'PENDING' && !row.submittedAt) {
        // Never sent: the submission sees CANCELED and does nothing. A list leaves as a whole.
        const legs = row.listClientOrderId ? await this.ledger.lockList(tx.manager, row.listClientOrderId) : [row];
        for (const leg of legs) {
          if (leg.status !== 'PENDING' || leg.submittedAt) continue;
          leg.status = 'CANCELED';
          leg.updatedAt = new Date();
          await tx.manager.save(leg);
          await this.ledger.appendTimeline(tx.manager, leg, 'canceled', cause, { before: 'submission' });
          tx.publish(new OrderCanceledEvent(orderFacts(leg), cause));
        }
        return undefined;
      }
      return row;
    });
    if (!order) return;
    const gateway = await this.gateways.forAccount(order.accountId);
    const lane = laneOf(order.purpose);
    try {
      const snapshot = order.exchangeOrderId
        ? await gateway.cancelOrder(order.symbol, order.exchangeOrderId, { lane })
        : await gateway.cancelOrderByClientOrderId(order.symbol, order.clientOrderId, { lane });
      await this.ledger.applySnapshot(order.id, snapshot, cause);
    } catch (error) {
      if (!(error instanceof OrderNotFound)) throw error;
      // Already done at the exchange (filled or canceled meanwhile): record its real state.
      const outcome = await lookUp(gateway, order, lane);
      if (outcome.kind !== 'found') throw error;
      await this.ledger.applySnapshot(order.id, outcome.snapshot, cause);
    }
    if (order.listClientOrderId) await this.followSiblings(order, lane, cause);
    await this.gateways.invalidateBalances(order.accountId);
  }

  /** Cancelling one leg of an order list cancels the list at the exchange: record the other legs too. */
  private async followSiblings(order: OrderOrmEntity, lane: ReturnType<typeof laneOf>, cause: string): Promise<void> {
    const gateway = await this.gateways.forAccount(order.accountId);
    const siblings = await this.uow.run(({ manager }) =>
      manager.find(OrderOrmEntity, { where: { listClientOrderId: order.listClientOrderId!, id: Not(order.id) } }),
    );
    for (const sibling of siblings) {
      if (isTerminal(sibling.status)) continue;
      const outcome = await lookUp(gateway, sibling, lane);
      if (outcome.kind === 'found') await this.ledger.applySnapshot(sibling.id, outcome.snapshot, cause);
    }
  }
}
