import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConflictError, Outbox, UnitOfWork } from '@tradedesk/shared';
import { OrderOrmEntity } from '../../infrastructure/persistence/order.orm-entity.js';
import { OrderPlacement, type OrderSpec, type PlacementOptions, requestHash } from '../order-placement.js';
import { SUBMIT_TOPIC, submitMessageOptions } from '../order-submission.js';
import { PositionClosedError } from '../position-room.js';

export class PlaceOrderCommand {
  constructor(
    readonly spec: OrderSpec,
    readonly options: PlacementOptions = {},
  ) {}
}

export interface PlaceOrderResult {
  orderId: string;
  /** false when an Idempotency-Key replay returned an existing order. */
  created: boolean;
}

/**
 * Records the order (and its client order id) before any exchange call, queues its submission in
 * the same transaction, then submits it right away; the outbox covers a crash in between.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand, PlaceOrderResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly placement: OrderPlacement,
  ) {}

  async execute({ spec, options }: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const key = options.idempotencyKey;
    const hash = requestHash(spec);
    if (key) {
      const replay = await this.replay(key, hash);
      if (replay) return replay;
    }
    const order = await this.placement.prepare(spec, options);
    let messageId: string;
    try {
      messageId = await this.uow.run(async (tx) => {
        // An exit takes no more than its position still holds, decided under the position's lock.
        const { closed } = await this.placement.fitExits(tx, [order]);
        if (closed[0]) throw new PositionClosedError(order.row, closed[0].closedBy, closed[0].reason);
        await this.placement.record(tx, [order]);
        // Submitted inline right after commit; the poller picks it up only if this process dies first.
        const message = await this.outbox.enqueue(
          tx,
          SUBMIT_TOPIC,
          { orderId: order.orderId },
          submitMessageOptions(order.row.purpose, order.row.createdAt),
        );
        return message.id;
      });
    } catch (error) {
      // Two requests with one Idempotency-Key raced: the loser answers with the winner's order.
      if (key && isUniqueViolation(error)) {
        const replay = await this.replay(key, hash);
        if (replay) return replay;
      }
      throw error;
    }
    await this.outbox.dispatchNow(messageId);
    return { orderId: order.orderId, created: true };
  }

  private async replay(key: string, hash: string): Promise<PlaceOrderResult | undefined> {
    const existing = await this.uow.autocommit((manager) =>
      manager.findOne(OrderOrmEntity, { where: { idempotencyKey: key }, select: { id: true, requestHash: true } }),
    );
    if (!existing) return undefined;
    if (existing.requestHash !== hash) {
      throw new ConflictError('ORDER.IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body', {
        orderId: existing.id,
      });
    }
    return { orderId: existing.id, created: false };
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(String((error as Error)?.message));
}
