import { getDataSourceToken } from '@nestjs/typeorm';
import { EventBus } from '@nestjs/cqrs';
import { PositionUnprotectedEvent } from '@tradedesk/conditions';
import { TEST_DRIVERS } from '@tradedesk/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface TimelineLine {
  event: string;
  status: string;
  price: string | null;
  trigger: string | null;
  details: Record<string, unknown> | null;
}
interface ConditionBody {
  id: string;
  status: string;
  triggerPrice: string | null;
  orderIds: string[];
  failureReason: string | null;
  timeline: TimelineLine[];
}
interface OrderBody {
  id: string;
  status: string;
  amount: string;
  filled: string;
  purpose: string;
  clientOrderId: string;
  timeline: Array<{ event: string; details?: Record<string, unknown> }>;
}
interface PositionBody {
  quantity: string;
  lastPrice: string | null;
  averageEntry: string | null;
  unrealizedPnl: string | null;
}

/**
 * What exits mean (docs/trading-semantics.md), against the emulator, with the state users have:
 * coins held before tradedesk (the sim accounts start with 0.1 BTC), several exits on one
 * position, conditions naming markets that do not exist. Each test trades its own market, so the
 * positions of one never meet another's.
 */
describe.each(TEST_DRIVERS)('exits and positions on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const arm = async (body: Record<string, unknown>, status = 201) => {
    const res = await s.api().post('/api/conditions').send(body);
    // The answer's message says why when the status is not the one expected.
    if (res.status !== status) throw new Error(`POST /api/conditions → ${res.status} ${JSON.stringify(res.body)}, not ${status}`);
    return res.body;
  };
  const condition = async (id: string) => (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;
  const order = async (id: string) => (await s.api().get(`/api/orders/${id}`).expect(200)).body as OrderBody;
  const position = async (accountId: string, symbol: string) =>
    ((await s.api().get('/api/positions').query({ accountId, symbol }).expect(200)).body as { positions: PositionBody[] }).positions[0];
  const filled = async (id: string) => {
    await expect.poll(async () => (await order(id)).status, { timeout: 10_000 }).toBe('FILLED');
    return order(id);
  };

  it('a stop with amount "all" sells the position bought here, not the 0.1 BTC held before (Upbit, triggerPercent 3)', async () => {
    await s.setPrice('upbit', 'BTC/KRW', '82000000');
    // 1,080,000 KRW at 82,000,000 → 0.01317073 BTC (Upbit sizes by cost).
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '1080000' });
    const held = (await position(s.upbitAccountId, 'BTC/KRW')).quantity;
    expect(held).toBe('0.01317073');
    const stop = (await arm({ kind: 'stop_loss', accountId: s.upbitAccountId, symbol: 'BTC/KRW', triggerPercent: '3' })) as ConditionBody;
    // 3 % under the average entry (82,041,000 with the fee), snapped down onto Upbit's 1,000 KRW grid.
    const armed = stop.timeline[0];
    expect(stop.triggerPrice).toBe('79579000');
    expect(armed.details).toMatchObject({ trigger: { triggerPercent: '3', exact: '79579770', snapped: '79579000' } });
    await s.setPrice('upbit', 'BTC/KRW', '79000000');
    const done = await s.conditionInStatus<ConditionBody>(stop.id, 'DONE', 15_000);
    const exit = await filled(done.orderIds[0]);
    expect(exit).toMatchObject({ amount: held, filled: held, purpose: 'liquidation' });
    expect((await position(s.upbitAccountId, 'BTC/KRW'))?.quantity ?? '0').toBe('0');
    const balances = (await s.api().get(`/api/accounts/${s.upbitAccountId}/balances`).expect(200)).body as {
      balances: Array<{ asset: string; total: string }>;
    };
    expect(balances.balances.find((b) => b.asset === 'BTC')?.total).toBe('0.1');
  });

  it('two stops of 0.004 on a 0.005089 position: both arm, the one that fires second sells only what is left', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.0051' });
    const held = (await position(s.binanceAccountId, 'BTC/USDT')).quantity;
    // Binance takes its fee in the coin bought: 0.0051 − 0.1 % = 0.0050949.
    expect(held).toBe('0.0050949');
    const stop = (triggerPrice: string, amount: string, status = 201) =>
      arm({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice, amount }, status);
    const higher = (await stop('49000', '0.004')) as ConditionBody;
    const lower = (await stop('48000', '0.004')) as ConditionBody;
    const tooBig = await stop('48000', '0.006', 400);
    expect(tooBig).toMatchObject({ code: 'CONDITION.AMOUNT_EXCEEDS_POSITION' });
    expect(tooBig.message).toMatch(/^amount: 0.006 is larger than the position \(0.0050949 BTC\)/);
    await s.setPrice('binance', 'BTC/USDT', '48500');
    const first = await s.conditionInStatus<ConditionBody>(higher.id, 'DONE', 15_000);
    expect((await filled(first.orderIds[0])).amount).toBe('0.004');
    await s.setPrice('binance', 'BTC/USDT', '47500');
    const second = await s.conditionInStatus<ConditionBody>(lower.id, 'DONE', 15_000);
    // What was left, floored to the market's 0.00001 step: 0.0010949 → 0.00109.
    expect((await filled(second.orderIds[0])).amount).toBe('0.00109');
    expect((await position(s.binanceAccountId, 'BTC/USDT')).quantity).toBe('0.0000049');
  });

  it('an exit whose rest of the position is under the market minimum ends CANCELLED, saying so, instead of failing', async () => {
    await s.setPrice('binance', 'ETH/USDT', '2000');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'ETH/USDT', amount: '0.0051' });
    const stop = (triggerPrice: string) =>
      arm({
        kind: 'stop_loss',
        accountId: s.binanceAccountId,
        symbol: 'ETH/USDT',
        triggerPrice,
        amount: '0.004',
      }) as Promise<ConditionBody>;
    const [higher, lower] = [await stop('1900'), await stop('1800')];
    await s.setPrice('binance', 'ETH/USDT', '1850');
    await s.conditionInStatus(higher.id, 'DONE', 15_000);
    await s.setPrice('binance', 'ETH/USDT', '1750');
    // 0.001 ETH left at 1,750 is 1.75 USDT, under Binance's 5 USDT minimum: nothing can be sold.
    const ended = await s.conditionInStatus<ConditionBody>(lower.id, 'CANCELLED', 15_000);
    expect(ended.failureReason).toBe("position closed: the 0.0010949 left is below the market's minimum order");
    expect(ended.orderIds).toEqual([]);
  });

  it('of two "all" exits crossed together, one sells the position and the other ends CANCELLED "position closed", naming it', async () => {
    await s.setPrice('binance', 'SOL/USDT', '100');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'SOL/USDT', amount: '1' });
    const a = (await arm({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'SOL/USDT', triggerPrice: '95' })) as ConditionBody;
    const b = (await arm({
      kind: 'stop_loss',
      accountId: s.binanceAccountId,
      symbol: 'SOL/USDT',
      triggerPrice: '96',
      amount: '100%',
    })) as ConditionBody;
    await s.setPrice('binance', 'SOL/USDT', '90');
    await expect
      .poll(async () => [(await condition(a.id)).status, (await condition(b.id)).status], {
        timeout: 15_000,
      })
      .toSatisfy((statuses: string[]) => statuses.every((status) => ['DONE', 'CANCELLED', 'FAILED'].includes(status)));
    const ended = [await condition(a.id), await condition(b.id)];
    // The statuses with their reasons, so that a wrong end says why.
    expect(ended.map((c) => `${c.status}${c.failureReason ? ` (${c.failureReason})` : ''}`).sort((a, b) => a.localeCompare(b))).toEqual([
      'CANCELLED (position closed)',
      'DONE',
    ]);
    const [ca, cb] = [await condition(a.id), await condition(b.id)];
    const [winner, loser] = ca.status === 'DONE' ? [ca, cb] : [cb, ca];
    expect(loser.failureReason).toBe('position closed');
    const cancelled = loser.timeline.find((l) => l.event === 'cancelled')!;
    expect(cancelled.details).toMatchObject({
      reason: 'position closed',
      closedBy: { orderId: winner.orderIds[0], conditionId: winner.id },
    });
    expect(loser.orderIds).toEqual([]);
    const sells = (await s.control<{ orders: Array<{ side: string; symbol: string }> }>('GET', '/orders?exchange=binance')).orders.filter(
      (o) => o.side === 'sell' && o.symbol.replace('/', '') === 'SOLUSDT',
    );
    expect(sells).toHaveLength(1);
  });

  it('"all" cancels the position\'s resting exit and sells everything; that exit ends CANCELLED "position closed"', async () => {
    await s.setPrice('binance', 'BNB/USDT', '100');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BNB/USDT', amount: '2' });
    // A stop with a limit 1 % under its trigger: the price gaps through, the limit rests above the market.
    const resting = (await arm({
      kind: 'stop_loss',
      accountId: s.binanceAccountId,
      symbol: 'BNB/USDT',
      triggerPrice: '95',
      amount: '50%',
      execution: { type: 'limit', limitOffset: '1' },
    })) as ConditionBody;
    await s.setPrice('binance', 'BNB/USDT', '90');
    const fired = await s.conditionInStatus<ConditionBody>(resting.id, 'FIRED', 15_000);
    await expect.poll(async () => (await order(fired.orderIds[0])).status, { timeout: 10_000 }).toBe('OPEN');
    const all = (await arm({
      kind: 'stop_loss',
      accountId: s.binanceAccountId,
      symbol: 'BNB/USDT',
      triggerPrice: '92',
      allowImmediate: true,
    })) as ConditionBody;
    const done = await s.conditionInStatus<ConditionBody>(all.id, 'DONE', 15_000);
    expect((await filled(done.orderIds[0])).amount).toBe('1.998');
    expect((await order(fired.orderIds[0])).status).toBe('CANCELED');
    const cancelled = await s.conditionInStatus<ConditionBody>(resting.id, 'CANCELLED', 15_000);
    expect(cancelled.failureReason).toBe('position closed: its order was cancelled by a liquidation of the position');
  });

  it('takes back the figures it prints: the average entry as a trigger, triggerPercent 0 (break-even) and moveTo breakEven', async () => {
    await s.setPrice('binance', 'XRP/USDT', '0.5123');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'XRP/USDT', amount: '333.3' });
    await s.setPrice('binance', 'XRP/USDT', '0.6');
    // Tickers are cached for a moment: the new price is seen once the position values at it.
    await expect.poll(async () => (await position(s.binanceAccountId, 'XRP/USDT')).lastPrice, { timeout: 5_000 }).toBe('0.6');
    const p = await position(s.binanceAccountId, 'XRP/USDT');
    // Tick 0.0001 plus up to 4 places for an average: never the 38 digits of a quotient.
    expect(p.averageEntry).toMatch(/^0\.\d{1,8}$/);
    const stop = (await arm({
      kind: 'stop_loss',
      accountId: s.binanceAccountId,
      symbol: 'XRP/USDT',
      triggerPercent: '0',
      amount: '100',
    })) as ConditionBody;
    expect(stop.triggerPrice).toBe('0.5128');
    const moved = (await s.api().patch(`/api/conditions/${stop.id}`).send({ triggerPrice: p.averageEntry }).expect(200))
      .body as ConditionBody;
    expect(moved.triggerPrice).toBe(p.averageEntry);
    const adjusted = moved.timeline.find((l) => l.event === 'adjusted')!;
    expect(Object.keys((adjusted.details as { changes: object }).changes)).toEqual(['triggerPrice']);
    const breakEven = (await s.api().patch(`/api/conditions/${stop.id}`).send({ moveTo: 'breakEven' }).expect(200)).body as ConditionBody;
    // Average entry 0.51281281… / (1 − 0.1 % exit fee) = 0.513326…, snapped up to the tick.
    expect(breakEven.triggerPrice).toBe('0.5134');
    const unrealized = p.unrealizedPnl!;
    await s
      .api()
      .post('/api/positions/adopt')
      .send({ accountId: s.binanceAccountId, symbol: 'XRP/USDT', amount: '0.1', averageEntry: p.averageEntry })
      .expect(400)
      .expect((res) => expect(res.body.code).toBe('POSITION.ADOPT_EXCEEDS_BALANCE'));
    expect(unrealized).toMatch(/^-?\d+(\.\d{1,8})?$/);
  });

  it('refuses a conditional whose markets do not exist, naming the path (404), and a bid or ask on Upbit (400)', async () => {
    const order = { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.0001' };
    const price = await arm(
      {
        kind: 'conditional',
        accountId: s.binanceAccountId,
        when: { price: { exchange: 'binance', symbol: 'ZZZ/USDT', op: '<=', value: '1' } },
        then: { order },
      },
      404,
    );
    expect(price.message).toMatch(/^when\.price\.symbol: binance has no spot market ZZZ\/USDT/);
    const change = await arm(
      {
        kind: 'conditional',
        accountId: s.binanceAccountId,
        when: { all: [{ time: { after: 'PT1M' } }, { change: { symbol: 'ZZZ/USDT', percent: '-5' } }] },
        then: { order },
      },
      404,
    );
    expect(change.message).toMatch(/^when\.all\[1\]\.change\.symbol: /);
    const premium = await arm(
      {
        kind: 'conditional',
        accountId: s.upbitAccountId,
        when: { premium: { base: 'ZZZ', op: '<=', value: '1' } },
        then: { order: { ...order, symbol: 'BTC/KRW', cost: '10000', amount: undefined } },
      },
      404,
    );
    expect(premium.message).toMatch(/^when\.premium\.base: /);
    const bid = await arm(
      { kind: 'stop_loss', accountId: s.upbitAccountId, symbol: 'BTC/KRW', triggerPrice: '1000', source: 'bid', amount: 'balance' },
      400,
    );
    expect(bid).toMatchObject({ code: 'CONDITION.SOURCE_NOT_AVAILABLE' });
    expect(bid.message).toMatch(/^source: /);
    const leaf = await arm(
      {
        kind: 'conditional',
        accountId: s.upbitAccountId,
        when: { price: { exchange: 'upbit', symbol: 'BTC/KRW', source: 'ask', op: '<=', value: '1' } },
        then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '10000' } },
      },
      400,
    );
    expect(leaf.message).toMatch(/^when\.price\.source: /);
    const inapplicable = await arm(
      { kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '1000', trailPercent: '5', amount: 'balance' },
      400,
    );
    expect(inapplicable.message).toMatch(/^trailPercent: does not apply to a stop_loss/);
    const nested = await arm(
      {
        kind: 'stop_loss',
        accountId: s.binanceAccountId,
        symbol: 'BTC/USDT',
        triggerPrice: '1000',
        amount: 'balance',
        execution: { type: 'limit', offset: '1' },
      },
      400,
    );
    expect(nested.message).toMatch(/^execution\.offset: is not a known field/);
  });

  it('a market that cannot be read hides no other: the stop fires, the dead market is reported unprotected after a few ticks', async () => {
    const unprotected: PositionUnprotectedEvent[] = [];
    const subscription = s.app.app.get(EventBus).subscribe((event) => event instanceof PositionUnprotectedEvent && unprotected.push(event));
    try {
      await s.setPrice('binance', 'ADA/USDT', '1');
      await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'ADA/USDT', amount: '100' });
      // A stop watching a market the exchange has since delisted (written as arming left it, before the market went).
      const ds = s.app.app.get<DataSource>(getDataSourceToken());
      const delisted = (await arm({
        kind: 'stop_loss',
        accountId: s.binanceAccountId,
        symbol: 'ADA/USDT',
        triggerPrice: '0.5',
        amount: '10',
      })) as ConditionBody;
      await ds.query(
        `UPDATE "conditions" SET "watchSymbol" = 'ZZZ/USDT', "changedAt" = ${driver === 'postgres' ? 'now()' : `'${new Date().toISOString().replace('T', ' ').replace('Z', '')}'`} WHERE "id" = '${delisted.id}'`,
      );
      const stop = (await arm({
        kind: 'stop_loss',
        accountId: s.binanceAccountId,
        symbol: 'ADA/USDT',
        triggerPrice: '0.9',
        amount: '50',
      })) as ConditionBody;
      await s.setPrice('binance', 'ADA/USDT', '0.85');
      await s.conditionInStatus(stop.id, 'DONE', 15_000);
      await expect.poll(() => unprotected.find((e) => e.symbol === 'ZZZ/USDT'), { timeout: 15_000 }).toBeDefined();
      const event = unprotected.find((e) => e.symbol === 'ZZZ/USDT')!;
      expect(event.conditions.map((c) => c.conditionId)).toEqual([delisted.id]);
      expect(event.reason).toMatch(/no spot market ZZZ\/USDT/);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('resume checks a trigger crossed while paused as arming does; a conditional names the price it saw and orders as conditional', async () => {
    await s.setPrice('binance', 'DOGE/USDT', '0.1');
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'DOGE/USDT', amount: '1000' });
    const stop = (await arm({
      kind: 'stop_loss',
      accountId: s.binanceAccountId,
      symbol: 'DOGE/USDT',
      triggerPrice: '0.09',
      amount: '500',
    })) as ConditionBody;
    await s.api().post(`/api/conditions/${stop.id}/pause`).expect(200);
    await s.setPrice('binance', 'DOGE/USDT', '0.08');
    const refused = await s.api().post(`/api/conditions/${stop.id}/resume`).send({}).expect(400);
    expect(refused.body).toMatchObject({ code: 'CONDITION.WOULD_FIRE_IMMEDIATELY' });
    expect((await condition(stop.id)).status).toBe('PAUSED');
    await s.api().post(`/api/conditions/${stop.id}/resume`).send({ allowImmediate: true }).expect(200);
    const done = await s.conditionInStatus<ConditionBody>(stop.id, 'DONE', 15_000);
    // The first firing's order is numbered 1.
    expect(done.timeline.find((l) => l.event === 'fired')!.details).toMatchObject({ idempotencyKey: `cond-${stop.id}-1` });

    const buy = (await arm({
      kind: 'conditional',
      accountId: s.binanceAccountId,
      when: { price: { symbol: 'DOGE/USDT', op: '>=', value: '0.12' } },
      then: { order: { symbol: 'DOGE/USDT', side: 'buy', type: 'market', amount: '100' } },
    })) as ConditionBody;
    await s.setPrice('binance', 'DOGE/USDT', '0.125');
    const bought = await s.conditionInStatus<ConditionBody>(buy.id, 'DONE', 15_000);
    const triggered = bought.timeline.find((l) => l.event === 'triggered')!;
    expect(triggered.price).toBe('0.125');
    expect(triggered.details).toMatchObject({ prices: { 'binance DOGE/USDT last': '0.125' } });
    expect((await order(bought.orderIds[0])).purpose).toBe('conditional');
  });
});
