import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ExchangeGateways, Market } from '@tradedesk/exchanges';
import { ConflictError, dec, type Decimal, type UnitOfWork, ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { PositionClosedError } from '../position-room.js';
import type { PositionFacts } from '../queries/position.query.js';
import { ClosePositionCommand, ClosePositionHandler } from './close-position.js';
import { CancelOrderCommand } from './cancel-order.js';
import { PlaceOrderCommand } from './place-order.js';

const MARKET = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: dec('0.00001') } as Market;

/** The handler's ports, faked: a position that changes as the cancels go, a wallet, resting sells, a rule book. */
function sut(world: {
  quantity: string;
  availableAfterCancels?: string;
  free: string;
  resting?: Array<{ id: string; ended?: boolean }>;
  minAmount?: string;
}) {
  const sent: unknown[] = [];
  const cancelled: string[] = [];
  let reads = 0;
  const position = (available: Decimal): PositionFacts => ({
    accountId: 'a',
    symbol: 'BTC/USDT',
    quantity: dec(world.quantity),
    averageEntry: dec(50000),
    costBasis: dec(0),
    committed: dec(world.quantity).minus(available),
    available,
    closedBy: { orderId: 'other-exit' },
  });
  const rules = (request: { amount?: Decimal }) => {
    if (world.minAmount && request.amount!.lt(world.minAmount))
      throw new ValidationError('ORDER.BELOW_MIN_AMOUNT', 'below the minimum', {});
    return request;
  };
  const handler = new ClosePositionHandler(
    { autocommit: async () => (world.resting ?? []).map((o) => ({ id: o.id })) } as unknown as UnitOfWork,
    {
      forAccount: async () => ({ market: async () => MARKET, fetchBalances: async () => ({ BTC: { free: dec(world.free) } }) }),
      invalidateBalances: async () => undefined,
      orderRules: async () => rules,
    } as unknown as ExchangeGateways,
    {
      execute: async (command: unknown) => {
        if (command instanceof CancelOrderCommand) {
          if (world.resting?.find((o) => o.id === command.orderId)?.ended)
            throw new ConflictError('ORDER.NOT_CANCELABLE', 'The order is already FILLED', {});
          cancelled.push(command.orderId);
          return undefined;
        }
        if (command instanceof PlaceOrderCommand) {
          rules(command.spec);
          sent.push(command);
          return { orderId: 'liquidation', created: true };
        }
        throw new Error(`unexpected command ${String(command)}`);
      },
    } as unknown as CommandBus,
    {
      // The first read is before the cancels, the later ones after them.
      execute: async () => position(dec(reads++ === 0 ? world.quantity : (world.availableAfterCancels ?? world.quantity))),
    } as unknown as QueryBus,
  );
  return { handler, sent: sent as PlaceOrderCommand[], cancelled };
}

describe('ClosePositionHandler', () => {
  it('sells the position, not the wallet: what is available after the cancels, capped by the free balance', async () => {
    const { handler, sent, cancelled } = sut({ quantity: '0.3', free: '1.2', resting: [{ id: 'resting-tp' }] });
    const result = await handler.execute(new ClosePositionCommand('a', 'BTC/USDT'));
    expect(cancelled).toEqual(['resting-tp']);
    expect(result.canceledOrderIds).toEqual(['resting-tp']);
    expect(sent[0].spec).toMatchObject({ side: 'sell', type: 'market' });
    expect(sent[0].spec.amount!.toFixed()).toBe('0.3');
    expect(sent[0].options.positionExit).toBeDefined();
  });

  it('sells the whole free balance only for scope balance, with no cap to a position', async () => {
    const { handler, sent } = sut({ quantity: '0', free: '1.2' });
    await handler.execute(new ClosePositionCommand('a', 'BTC/USDT', 'api', { scope: 'balance' }));
    expect(sent[0].spec.amount!.toFixed()).toBe('1.2');
    expect(sent[0].options.positionExit).toBeUndefined();
  });

  it('refuses a request without a position before it cancels anything', async () => {
    const { handler, sent, cancelled } = sut({ quantity: '0', free: '1.2', resting: [{ id: 'resting' }] });
    await expect(handler.execute(new ClosePositionCommand('a', 'BTC/USDT'))).rejects.toMatchObject({ code: 'POSITION.NOTHING_TO_CLOSE' });
    expect(cancelled).toEqual([]);
    expect(sent).toEqual([]);
  });

  it("tells a condition the position is closed when another exit's sells hold what is left", async () => {
    const { handler, sent } = sut({ quantity: '0.3', availableAfterCancels: '0', free: '0.3' });
    const closing = handler.execute(new ClosePositionCommand('a', 'BTC/USDT', 'condition-stop_loss'));
    await expect(closing).rejects.toBeInstanceOf(PositionClosedError);
    await expect(closing).rejects.toMatchObject({ closedBy: { orderId: 'other-exit' } });
    expect(sent).toEqual([]);
  });

  it('goes on when a resting sell ended meanwhile (filled by the exchange, or cancelled by another exit)', async () => {
    const { handler, cancelled, sent } = sut({ quantity: '0.3', free: '0.3', resting: [{ id: 'gone', ended: true }, { id: 'live' }] });
    const result = await handler.execute(new ClosePositionCommand('a', 'BTC/USDT'));
    expect(cancelled).toEqual(['live']);
    expect(result.canceledOrderIds).toEqual(['live']);
    expect(sent).toHaveLength(1);
  });

  it('turns dust (under the market minimum) into "nothing to close" for a request and "position closed" for a condition', async () => {
    const request = sut({ quantity: '0.00002', free: '0.1', minAmount: '0.0001' });
    await expect(request.handler.execute(new ClosePositionCommand('a', 'BTC/USDT'))).rejects.toMatchObject({
      code: 'POSITION.NOTHING_TO_CLOSE',
      message: expect.stringMatching(/^The 0.00002 BTC left in the BTC\/USDT position cannot be sold/),
    });
    const condition = sut({ quantity: '0.00002', free: '0.1', minAmount: '0.0001' });
    await expect(condition.handler.execute(new ClosePositionCommand('a', 'BTC/USDT', 'condition-stop_loss'))).rejects.toMatchObject({
      reason: "position closed: the 0.00002 left is below the market's minimum order",
    });
    expect([...request.sent, ...condition.sent]).toEqual([]);
  });
});
