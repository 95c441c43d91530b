import { QueryBus } from '@nestjs/cqrs';
import { ConditionEngine } from '@tradedesk/conditions';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { OrderPlacement } from '@tradedesk/orders';
import { dec, Outbox, UnitOfWork } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PricePoll } from '../../../apps/api/src/scheduler/price-poll.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const STOPS = 30;

interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
  timeline: Array<{ event: string; details: Record<string, unknown> }>;
}

interface OrderBody {
  id: string;
  status: string;
  clientOrderId: string;
  purpose: string;
  timeline: Array<{ event: string }>;
}

/**
 * Protective exits fired the direct way (ADR 0300): a tick's compare-and-sets, timelines and exit
 * orders are one transaction per chunk, sent after commit. Two engines are driven by hand here (the
 * app's own scheduler is stopped), one of them on a database that fails its first transaction.
 */
describe.each(TEST_DRIVERS)('protective exits fired together, on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver);
    await s.app.app.get(PricePoll).beforeApplicationShutdown();
  });
  afterAll(async () => {
    await s?.close();
  });

  it(`a failed firing transaction leaves nothing behind; then two engines fire ${STOPS} stops once each, with one order apiece`, async () => {
    const buyId = await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.1' });
    const ids: string[] = [];
    for (let i = 0; i < STOPS; i++) {
      const body = {
        kind: 'stop_loss',
        accountId: s.binanceAccountId,
        symbol: 'BTC/USDT',
        triggerPrice: String(49_000 - i),
        // 30 × 0.003 fit in the 0.1 bought (less its fee): every stop sells its whole amount.
        amount: '0.003',
      };
      ids.push(((await s.api().post('/api/conditions').send(body).expect(201)).body as ConditionBody).id);
    }
    const sellsAtExchange = async () =>
      (await s.control<{ orders: Array<{ side: string; clientOrderId: string }> }>('GET', '/orders?exchange=binance')).orders.filter(
        (o) => o.side === 'sell',
      );

    const app = s.app.app;
    const uow = app.get(UnitOfWork);
    let failNext = false;
    const flaky = {
      driver: uow.driver,
      autocommit: uow.autocommit.bind(uow),
      run: (work: Parameters<UnitOfWork['run']>[0]) => {
        if (!failNext) return uow.run(work);
        failNext = false;
        // The transaction runs and then fails, as a commit would: everything it wrote must roll back.
        return uow.run(async (tx) => {
          await work(tx);
          throw new Error('the database went away at commit');
        });
      },
    } as unknown as UnitOfWork;
    const engine = (unitOfWork: UnitOfWork) =>
      new ConditionEngine(unitOfWork, app.get(Outbox), app.get(ExchangeGateways), app.get(OrderPlacement), app.get(QueryBus));
    const [a, b] = [engine(flaky), engine(uow)];
    await Promise.all([a.sync(), b.sync()]);
    const quote = (price: string) => ({ 'BTC/USDT': { last: dec(price) } });
    // A first look at the market, with nothing crossed: the stops were not crossed while down.
    for (const e of [a, b]) expect((await e.observe(s.binanceAccountId, quote('50000'))).fired).toBe(0);

    failNext = true;
    expect((await a.observe(s.binanceAccountId, quote('48000'))).fired).toBe(0);
    const afterFailure = await Promise.all(
      ids.map(async (id) => ((await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody).status),
    );
    expect(new Set(afterFailure)).toEqual(new Set(['ARMED']));
    const orders = (await s.api().get('/api/orders').query({ accountId: s.binanceAccountId, limit: 100 }).expect(200)).body as {
      items: OrderBody[];
    };
    expect(orders.items.map((o) => o.id)).toEqual([buyId]);
    expect(await sellsAtExchange()).toHaveLength(0);

    // Engine a reloads what its failed transaction dropped; both see the same crossing at once.
    await a.sync();
    const reports = await Promise.all([a.observe(s.binanceAccountId, quote('48000')), b.observe(s.binanceAccountId, quote('48000'))]);
    expect(reports[0].fired + reports[1].fired).toBe(STOPS);

    let conditions: ConditionBody[] = [];
    await expect
      .poll(
        async () => {
          conditions = await Promise.all(
            ids.map(async (id) => (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody),
          );
          return conditions.filter((c) => c.status === 'DONE').length;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(STOPS);
    for (const c of conditions) {
      expect(c.orderIds).toHaveLength(1);
      expect(c.timeline.map((t) => t.event)).toEqual(['armed', 'triggered', 'firing', 'fired', 'done']);
      expect(c.timeline.find((t) => t.event === 'fired')!.details).toMatchObject({ orderId: c.orderIds[0] });
    }
    const exits = await Promise.all(
      conditions.map(async (c) => (await s.api().get(`/api/orders/${c.orderIds[0]}`).expect(200)).body as OrderBody),
    );
    for (const exit of exits) {
      expect(exit).toMatchObject({ status: 'FILLED', purpose: 'protective' });
      const events = exit.timeline.map((t) => t.event);
      expect(events.slice(0, 2)).toEqual(['placed', 'submitted']);
      expect(events).toContain('filled');
    }
    const sells = await sellsAtExchange();
    expect(sells).toHaveLength(STOPS);
    expect(new Set(sells.map((o) => o.clientOrderId))).toEqual(new Set(exits.map((e) => e.clientOrderId)));
  }, 60_000);
});
