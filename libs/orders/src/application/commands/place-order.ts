import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderPlacement, type OrderSpec, type PlacementOptions, requestHash } from '../order-placement.js';
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
 * Records the order (and its client order id) before any exchange call, with its submission marked
 * as started and its submit message in the same transaction, then sends it at once; the request
 * waits for the answer to be recorded. A crash in between leaves it to be looked up, never resent.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand, PlaceOrderResult> {
  constructor(private readonly placement: OrderPlacement) {}

  async execute({ spec, options }: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const key = options.idempotencyKey;
    const hash = requestHash(spec);
    const replay = async (): Promise<PlaceOrderResult | undefined> => {
      const earlier = key ? await this.placement.earlierOrder(key, hash) : undefined;
      return earlier ? { orderId: earlier.id, created: false } : undefined;
    };
    const earlier = await replay();
    if (earlier) return earlier;
    const order = await this.placement.prepare(spec, options);
    if (!key && !options.positionExit) {
      // Nothing to check inside the transaction and no key to race on: written with the orders of
      // other requests arriving together.
      await this.placement.recordAndSendPlain(order);
      return { orderId: order.orderId, created: true };
    }
    const outcome = await this.placement.recordAndSend(key, replay, async (tx) => {
      // An exit takes no more than its position still holds, decided under the position's lock.
      const { closed } = await this.placement.fitExits(tx, [order]);
      if (closed[0]) throw new PositionClosedError(order.row, closed[0].closedBy, closed[0].reason);
      return [order];
    });
    return outcome === 'recorded' ? { orderId: order.orderId, created: true } : outcome;
  }
}
