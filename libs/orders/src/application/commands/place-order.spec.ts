import { ConflictError, dec, type TransactionScope } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import type { OrderPlacement, PreparedOrder } from '../order-placement.js';
import { PositionClosedError } from '../position-room.js';
import { PlaceOrderCommand, PlaceOrderHandler } from './place-order.js';

const SPEC = { accountId: 'a', symbol: 'BTC/USDT', side: 'sell' as const, type: 'market' as const, amount: dec('0.1') };

/**
 * The placement port, faked: the orders the handler hands to `recordAndSend` to be written with
 * their submission started and their submit message (`recorded`), an earlier order under a key, a
 * position that may be closed.
 */
function sut(world: { earlier?: { id: string }; raceWinner?: { id: string }; closed?: boolean; hashMismatch?: boolean } = {}) {
  const recorded: PreparedOrder[] = [];
  /** Orders handed to the batched path for plain orders (no key, not an exit). */
  const plain: PreparedOrder[] = [];
  let replays = 0;
  const tx = {} as TransactionScope;
  const order = {
    orderId: 'new-order',
    clientOrderId: 'td-new',
    cause: 'api',
    row: { accountId: 'a', symbol: 'BTC/USDT', purpose: 'manual', createdAt: new Date() },
  } as unknown as PreparedOrder;
  const placement = {
    earlierOrder: async () => {
      replays++;
      if (world.hashMismatch) throw new ConflictError('ORDER.IDEMPOTENCY_KEY_REUSED', 'reused', {});
      // A racing request with the same key recorded its order between the first look and the insert.
      return replays === 1 ? world.earlier : world.raceWinner;
    },
    prepare: async () => order,
    fitExits: async () => ({
      fitted: world.closed ? [] : [order],
      closed: world.closed ? [{ order, closedBy: { orderId: 'x' }, reason: 'position closed' }] : [],
    }),
    recordAndSendPlain: async (o: PreparedOrder) => {
      plain.push(o);
    },
    recordAndSend: async <T>(
      key: string | undefined,
      replay: () => Promise<T | undefined>,
      write: (tx: TransactionScope) => Promise<readonly PreparedOrder[]>,
    ) => {
      if (world.raceWinner && key) return (await replay())!;
      recorded.push(...(await write(tx)));
      return 'recorded' as const;
    },
  } as unknown as OrderPlacement;
  return { handler: new PlaceOrderHandler(placement), recorded, plain };
}

describe('PlaceOrderHandler', () => {
  it('records a plain order (no key, not an exit) through the batched path and answers it as created', async () => {
    const { handler, recorded, plain } = sut();
    expect(await handler.execute(new PlaceOrderCommand(SPEC))).toEqual({ orderId: 'new-order', created: true });
    expect(plain.map((o) => o.orderId)).toEqual(['new-order']);
    expect(recorded).toEqual([]);
  });

  it('records an order with a key with its submission started and its submit message in one transaction', async () => {
    const { handler, recorded, plain } = sut();
    expect(await handler.execute(new PlaceOrderCommand(SPEC, { idempotencyKey: 'k' }))).toEqual({ orderId: 'new-order', created: true });
    expect(recorded.map((o) => o.orderId)).toEqual(['new-order']);
    expect(plain).toEqual([]);
  });

  it('answers the order recorded under the same key, records nothing new', async () => {
    const { handler, recorded } = sut({ earlier: { id: 'first' } });
    expect(await handler.execute(new PlaceOrderCommand(SPEC, { idempotencyKey: 'k' }))).toEqual({ orderId: 'first', created: false });
    expect(recorded).toEqual([]);
  });

  it('answers the winner of a race on one key', async () => {
    const { handler, recorded } = sut({ raceWinner: { id: 'winner' } });
    expect(await handler.execute(new PlaceOrderCommand(SPEC, { idempotencyKey: 'k' }))).toEqual({ orderId: 'winner', created: false });
    expect(recorded).toEqual([]);
  });

  it('refuses a key reused with another request (409) before anything is prepared', async () => {
    const { handler, recorded } = sut({ hashMismatch: true });
    await expect(handler.execute(new PlaceOrderCommand(SPEC, { idempotencyKey: 'k' }))).rejects.toMatchObject({
      code: 'ORDER.IDEMPOTENCY_KEY_REUSED',
    });
    expect(recorded).toEqual([]);
  });

  it('writes no exit whose position has nothing left: PositionClosedError, nothing recorded', async () => {
    const { handler, recorded } = sut({ closed: true });
    await expect(handler.execute(new PlaceOrderCommand(SPEC, { positionExit: {} }))).rejects.toBeInstanceOf(PositionClosedError);
    expect(recorded).toEqual([]);
  });
});
