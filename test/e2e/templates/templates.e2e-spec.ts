import { byCodeUnits, dec } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface ExecutionBody {
  id: string;
  templateId: string;
  version: number;
  status: string;
  orderId: string | null;
  conditionIds: string[];
  entry: { filled: string | null; average: string | null; received: string | null };
  sold: string | null;
  breakEvenMoved: boolean;
  closedAt: string | null;
  exits: Array<{ conditionId: string; status: string; role: string; rung: number; amount: string; triggerPrice: string | null }>;
  failure: { code: string; reason: string } | null;
}
interface ConditionBody {
  id: string;
  kind: string;
  status: string;
  triggerPrice: string | null;
  amount: string;
  orderIds: string[];
}
interface TradeBody {
  orderId: string;
  price: string;
  amount: string;
  fee: string;
  feeCurrency: string | null;
}

describe.each(TEST_DRIVERS)('order templates against the emulator on %s', (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '200', TEMPLATE_SWEEP_EVERY_MS: '500' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const createTemplate = async (body: Record<string, unknown>) =>
    (await s.api().post('/api/templates').send(body).expect(201)).body as { id: string; version: number };

  const execution = (id: string) => s.api().get(`/api/templates/executions/${id}`).expect(200);

  /** The execution once it reached `status`, polled with a deadline. */
  const executionIn = async (id: string, status: string, timeoutMs = 20_000): Promise<ExecutionBody> => {
    let body: ExecutionBody | undefined;
    await expect
      .poll(
        async () => {
          body = (await execution(id)).body as ExecutionBody;
          return body.status;
        },
        { timeout: timeoutMs, interval: 100 },
      )
      .toBe(status);
    return body!;
  };

  const tradesOf = async (orderId: string) =>
    ((await s.api().get('/api/trades').query({ orderId }).expect(200)).body as { items: TradeBody[] }).items;

  const condition = async (id: string) => (await s.api().get(`/api/conditions/${id}`).expect(200)).body as ConditionBody;

  const orderCount = async () => ((await s.api().get('/api/orders').query({ limit: 1 }).expect(200)).body as { total: number }).total;

  /** The average price and the base received of an order's fills, from GET /api/trades. */
  const fillOf = async (orderId: string, base: string) => {
    const trades = await tradesOf(orderId);
    const amount = trades.reduce((sum, t) => sum.plus(t.amount), dec(0));
    const cost = trades.reduce((sum, t) => sum.plus(dec(t.amount).times(t.price)), dec(0));
    const baseFee = trades.filter((t) => t.feeCurrency === base).reduce((sum, t) => sum.plus(t.fee), dec(0));
    return { average: cost.div(amount), amount, received: amount.minus(baseFee) };
  };

  const venues = [
    {
      exchange: 'binance',
      symbol: 'BTC/USDT',
      base: 'BTC',
      price: '50000',
      size: { cost: '500' },
      // 2 % under 50,000 and 3 % over it, on Binance's 0.01 tick.
      stop: '49000',
      target: '51500',
    },
    {
      exchange: 'upbit',
      symbol: 'BTC/KRW',
      base: 'BTC',
      price: '70123000',
      size: { cost: '500000' },
      // 68,720,540 snapped down and 72,226,690 snapped up to Upbit's 1,000 KRW step above 2,000,000 KRW.
      stop: '68720000',
      target: '72227000',
    },
  ] as const;

  it.each(venues)(
    'on $exchange: preview rounds to the market grid; execute fills the entry and arms the exits from the real fill',
    async (v) => {
      const accountId = v.exchange === 'binance' ? s.binanceAccountId : s.upbitAccountId;
      await s.setPrice(v.exchange, v.symbol, v.price);
      const template = await createTemplate({
        name: `${v.exchange} market buy`,
        accountId,
        symbol: v.symbol,
        side: 'buy',
        entry: { type: 'market' },
        size: v.size,
        exits: { stopLoss: { triggerPercent: '2' }, takeProfit: { triggerPercent: '3' } },
      });

      const preview = (await s.api().post(`/api/templates/${template.id}/preview`).send({}).expect(200)).body as {
        exits: Array<{ role: string; triggerPrice: string }>;
        warnings: unknown[];
        executable: boolean;
        riskReward: string;
      };
      expect(preview.executable).toBe(true);
      expect(preview.warnings).toEqual([]);
      expect(preview.exits.map((e) => [e.role, e.triggerPrice])).toEqual([
        ['stop_loss', v.stop],
        ['take_profit', v.target],
      ]);

      const started = await s.api().post(`/api/templates/${template.id}/execute`).send({}).expect(201);
      expect(started.body).toMatchObject({ executionId: expect.any(String), orderId: expect.any(String) });
      const done = await executionIn(started.body.executionId as string, 'exits_armed');
      expect(done.version).toBe(1);

      const fill = await fillOf(done.orderId!, v.base);
      expect(done.entry.average).toBe(fill.average.toFixed());
      expect(done.conditionIds).toHaveLength(2);
      const [stop, target] = await Promise.all(done.exits.map((e) => condition(e.conditionId)));
      expect(stop).toMatchObject({ kind: 'stop_loss', status: 'ARMED', triggerPrice: v.stop });
      expect(target).toMatchObject({ kind: 'take_profit', status: 'ARMED', triggerPrice: v.target });
      // Both exits sell what the entry actually brought (a fee taken in BTC deducted), on the amount step.
      for (const exit of [stop, target]) {
        expect(dec(exit.amount).lte(fill.received)).toBe(true);
        expect(dec(exit.amount).gt(fill.received.times('0.999'))).toBe(true);
      }
      for (const id of done.conditionIds) await s.api().delete(`/api/conditions/${id}`).expect(200);
    },
  );

  it('on upbit: a cost below 5,000 KRW is a preview warning and an execute refusal naming size, with nothing placed', async () => {
    await s.setPrice('upbit', 'BTC/KRW', '70000000');
    const template = await createTemplate({
      name: 'too small',
      exchange: 'upbit',
      symbol: 'BTC/KRW',
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '4000' },
    });
    const preview = (await s.api().post(`/api/templates/${template.id}/preview`).expect(200)).body as {
      warnings: Array<{ code: string; field: string; message: string }>;
      executable: boolean;
    };
    expect(preview.executable).toBe(false);
    expect(preview.warnings[0]).toMatchObject({ code: 'ORDER.BELOW_MIN_TOTAL', field: 'size' });
    expect(preview.warnings[0].message).toMatch(/5,?000/);
    const before = await orderCount();
    const refused = await s.api().post(`/api/templates/${template.id}/execute`).send({}).expect(400);
    expect(refused.body).toMatchObject({ code: 'ORDER.BELOW_MIN_TOTAL', details: { field: 'size' } });
    // A valid size given as an override runs the same template.
    const ok = (
      await s
        .api()
        .post(`/api/templates/${template.id}/preview`)
        .send({ size: { cost: '6000' } })
        .expect(200)
    ).body as {
      executable: boolean;
    };
    expect(ok.executable).toBe(true);
    expect(await orderCount()).toBe(before);
  });

  it('on binance: a 3-rung ladder sells 50/30/20 % as the price walks up, the shared stop shrinks and moves to break-even after the first', async () => {
    await s.setPrice('binance', 'ETH/USDT', '3000');
    const template = await createTemplate({
      name: 'ETH ladder',
      accountId: s.binanceAccountId,
      symbol: 'ETH/USDT',
      side: 'buy',
      entry: { type: 'market' },
      size: { amount: '1' },
      exits: {
        stopLoss: { triggerPercent: '5' },
        takeProfit: {
          ladder: [
            { offsetPercent: '2', sizePercent: '50' },
            { offsetPercent: '4', sizePercent: '30' },
            { offsetPercent: '6', sizePercent: '20' },
          ],
        },
        breakEvenAfterFirstTarget: true,
      },
    });
    const started = (await s.api().post(`/api/templates/${template.id}/execute`).expect(201)).body as { executionId: string };
    const armed = await executionIn(started.executionId, 'exits_armed');
    const fill = await fillOf(armed.orderId!, 'ETH');
    const rungs = armed.exits.filter((e) => e.role === 'take_profit');
    const stopId = armed.exits.find((e) => e.role === 'stop_loss')!.conditionId;
    expect(rungs.map((r) => r.triggerPrice)).toEqual(['3060', '3120', '3180']);
    const received = fill.received;
    const amounts = rungs.map((r) => dec(r.amount));
    expect(amounts.reduce((a, b) => a.plus(b), dec(0)).toFixed()).toBe(dec((await condition(stopId)).amount).toFixed());
    expect(amounts[0].toFixed()).toBe(received.times('0.5').toDecimalPlaces(4, 1).toFixed());
    expect(amounts[1].toFixed()).toBe(received.times('0.3').toDecimalPlaces(4, 1).toFixed());
    expect(dec((await condition(stopId)).triggerPrice!).toFixed()).toBe('2850');

    const soldBy = async (conditionId: string) => {
      const c = await s.conditionInStatus<ConditionBody>(conditionId, 'DONE', 20_000);
      return (await tradesOf(c.orderIds[0])).reduce((sum, t) => sum.plus(t.amount), dec(0));
    };

    await s.setPrice('binance', 'ETH/USDT', '3065');
    expect((await soldBy(rungs[0].conditionId)).toFixed()).toBe(amounts[0].toFixed());
    await expect
      .poll(async () => ((await execution(started.executionId)).body as ExecutionBody).breakEvenMoved, { timeout: 15_000, interval: 100 })
      .toBe(true);
    const afterFirst = await condition(stopId);
    expect(afterFirst.amount).toBe(received.minus(amounts[0]).toFixed());
    // Break-even: at or above the average fill (fees of both legs included), on the tick.
    expect(dec(afterFirst.triggerPrice!).gte(fill.average)).toBe(true);
    expect(dec(afterFirst.triggerPrice!).lt(fill.average.times('1.01'))).toBe(true);

    await s.setPrice('binance', 'ETH/USDT', '3125');
    expect((await soldBy(rungs[1].conditionId)).toFixed()).toBe(amounts[1].toFixed());
    await expect.poll(async () => (await condition(stopId)).amount, { timeout: 15_000, interval: 100 }).toBe(amounts[2].toFixed());

    await s.setPrice('binance', 'ETH/USDT', '3185');
    expect((await soldBy(rungs[2].conditionId)).toFixed()).toBe(amounts[2].toFixed());
    await expect
      .poll(async () => ((await execution(started.executionId)).body as ExecutionBody).closedAt, { timeout: 15_000, interval: 100 })
      .not.toBeNull();
    expect((await condition(stopId)).status).toBe('CANCELLED');
    const closed = (await execution(started.executionId)).body as ExecutionBody;
    expect(closed.sold).toBe(received.toFixed());
  });

  it('on binance: a limit entry filled in part and then expired arms its exits on the filled amount only', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const template = await createTemplate({
      name: 'BTC dip',
      accountId: s.binanceAccountId,
      symbol: 'BTC/USDT',
      side: 'buy',
      entry: { type: 'limit', offsetPercent: '-1', expiresAfter: 'PT3S' },
      size: { amount: '0.02' },
      exits: { stopLoss: { triggerPercent: '2' }, trailing: { trailPercent: '1.5' } },
    });
    const started = (await s.api().post(`/api/templates/${template.id}/execute`).expect(201)).body as {
      executionId: string;
      orderId: string;
      status: string;
    };
    expect(started.status).toBe('pending');
    const order = (await s.api().get(`/api/orders/${started.orderId}`).expect(200)).body as {
      clientOrderId: string;
      price: string;
      status: string;
    };
    expect(order.price).toBe('49500');
    await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: order.clientOrderId, amount: '0.005' });
    const armed = await executionIn(started.executionId, 'exits_armed', 30_000);
    expect(armed.entry.filled).toBe('0.005');
    expect(((await s.api().get(`/api/orders/${started.orderId}`).expect(200)).body as { status: string }).status).toBe('CANCELED');
    const fill = await fillOf(started.orderId, 'BTC');
    const exits = await Promise.all(armed.conditionIds.map(condition));
    expect(exits.map((c) => c.kind).sort(byCodeUnits)).toEqual(['stop_loss', 'trailing_stop']);
    for (const exit of exits) expect(exit.amount).toBe(fill.received.toDecimalPlaces(5, 1).toFixed());
    expect(exits.find((c) => c.kind === 'stop_loss')!.triggerPrice).toBe('48510');
    for (const id of armed.conditionIds) await s.api().delete(`/api/conditions/${id}`).expect(200);
  });

  it('a signed webhook executes a signal once when it arrives 10 times at once; replayed, stale, wrong-secret and malformed signals are refused and audited', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const template = await createTemplate({
      name: 'hooked',
      accountId: s.binanceAccountId,
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '50' },
    });
    const hook = (
      await s
        .api()
        .post('/api/hooks')
        .send({ name: 'tv', templateIds: [template.id], ratePerMinute: 60 })
        .expect(201)
    ).body as {
      id: string;
      secret: string;
    };
    expect(hook.secret).toMatch(/^[\w-]{20,}$/);
    const listed = (await s.api().get('/api/hooks').expect(200)).body as { items: Array<Record<string, unknown>> };
    expect(JSON.stringify(listed)).not.toContain(hook.secret);

    const signal = { secret: hook.secret, template: template.id, symbol: 'BTC/USDT', timestamp: new Date().toISOString() };
    const before = await orderCount();
    // No bearer token: the hook's secret is the credential.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => s.api().post(`/api/hooks/${hook.id}`).unset('Authorization').send(signal)),
    );
    const statuses = answers.map((a) => a.status).sort((a, b) => a - b);
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const executed = answers.find((a) => a.status === 201)!.body as { executionId: string };
    await executionIn(executed.executionId, 'entry_filled');
    expect(await orderCount()).toBe(before + 1);

    const post = (body: unknown) =>
      s
        .api()
        .post(`/api/hooks/${hook.id}`)
        .unset('Authorization')
        .send(body as object);
    expect((await post(signal)).body).toMatchObject({ statusCode: 409, code: 'HOOK.REPLAYED_SIGNAL' });
    const stale = await post({ ...signal, timestamp: new Date(Date.now() - 10 * 60_000).toISOString() });
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({ code: 'HOOK.STALE_SIGNAL', details: { field: 'timestamp' } });
    const wrong = await post({ ...signal, secret: 'not-the-secret', timestamp: new Date().toISOString() });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('HOOK.WRONG_SECRET');
    const malformed = await post({ secret: hook.secret, template: 'nope', timestamp: 'yesterday' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'HOOK.MALFORMED_SIGNAL', details: { field: 'template' } });
    expect(await orderCount()).toBe(before + 1);

    const calls = (await s.api().get(`/api/hooks/${hook.id}/calls`).expect(200)).body as {
      items: Array<{ outcome: string; code: string | null; httpStatus: number }>;
      total: number;
    };
    expect(calls.total).toBe(14);
    expect(calls.items.filter((c) => c.outcome === 'executed')).toHaveLength(1);
    const codes = calls.items.map((c) => c.code).filter(Boolean);
    expect(codes.filter((c) => c === 'HOOK.REPLAYED_SIGNAL')).toHaveLength(10);
    expect(codes).toEqual(expect.arrayContaining(['HOOK.STALE_SIGNAL', 'HOOK.WRONG_SECRET', 'HOOK.MALFORMED_SIGNAL']));

    // Creating and retiring a hook is in the audit log, never with its secret; a retired hook refuses signals.
    await s.api().delete(`/api/hooks/${hook.id}`).expect(204);
    expect((await post({ ...signal, timestamp: new Date().toISOString() })).status).toBe(404);
    const audit = (await s.api().get('/api/audit').expect(200)).body as {
      items: Array<{ action: string; subject: { id: string } | null }>;
    };
    const entries = audit.items.filter((e) => e.subject?.id === hook.id).map((e) => e.action);
    expect(entries.toSorted(byCodeUnits)).toEqual(['hook.created', 'hook.deleted']);
    expect(JSON.stringify(audit)).not.toContain(hook.secret);
  });

  it('bad input is a 400/404 naming the field, and nothing is placed or written', async () => {
    const before = await orderCount();
    const templatesBefore = ((await s.api().get('/api/templates').expect(200)).body as { total: number }).total;
    const base = {
      name: 'bad',
      accountId: s.binanceAccountId,
      symbol: 'BTC/USDT',
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '50' },
    };
    const ladder = await s
      .api()
      .post('/api/templates')
      .send({
        ...base,
        exits: {
          takeProfit: {
            ladder: [
              { offsetPercent: '2', sizePercent: '50' },
              { offsetPercent: '3', sizePercent: '40' },
            ],
          },
        },
      })
      .expect(400);
    expect(ladder.body).toMatchObject({ code: 'TEMPLATE.LADDER_NOT_100', details: { field: 'exits.takeProfit.ladder' } });
    const wrongSide = await s
      .api()
      .post('/api/templates')
      .send({ ...base, exits: { stopLoss: { triggerPercent: '-2' } } })
      .expect(400);
    expect(wrongSide.body).toMatchObject({ code: 'TEMPLATE.EXIT_WRONG_SIDE', details: { field: 'exits.stopLoss.triggerPercent' } });
    const unknownField = await s
      .api()
      .post('/api/templates')
      .send({ ...base, leverage: '10' })
      .expect(400);
    expect(unknownField.body.details.field).toBe('leverage');

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await s.api().post(`/api/templates/${unknown}/execute`).send({}).expect(404)).body.code).toBe('TEMPLATE.NOT_FOUND');
    expect((await s.api().post(`/api/templates/${unknown}/preview`).send({}).expect(404)).body.code).toBe('TEMPLATE.NOT_FOUND');

    const template = await createTemplate(base);
    const noMarket = await s.api().post(`/api/templates/${template.id}/execute`).send({ symbol: 'NOPE/USDT' }).expect(404);
    expect(noMarket.body.details.field).toBe('symbol');
    const dust = await s
      .api()
      .post(`/api/templates/${template.id}/execute`)
      .send({ size: { amount: '0.000001' } })
      .expect(400);
    expect(dust.body.details.field).toBe('size');
    const broke = (
      await s
        .api()
        .post(`/api/templates/${template.id}/preview`)
        .send({ size: { cost: '1000000' } })
        .expect(200)
    ).body as {
      warnings: Array<{ code: string; field: string }>;
      executable: boolean;
    };
    expect(broke).toMatchObject({ executable: false, warnings: [{ code: 'ORDER.INSUFFICIENT_BALANCE', field: 'size' }] });
    const poor = await s
      .api()
      .post(`/api/templates/${template.id}/execute`)
      .send({ size: { cost: '1000000' } })
      .expect(400);
    expect(poor.body).toMatchObject({ code: 'ORDER.INSUFFICIENT_BALANCE', details: { field: 'size' } });
    const badSize = await s
      .api()
      .post(`/api/templates/${template.id}/execute`)
      .send({ size: { cost: '-5' } })
      .expect(400);
    expect(badSize.body.details.field).toBe('size.cost');
    expect(await orderCount()).toBe(before);
    expect(((await s.api().get('/api/templates').expect(200)).body as { total: number }).total).toBe(templatesBefore + 1);
  });

  it('editing writes a new version that executions record; a deleted template no longer runs and stays readable; export and import round-trip', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const template = await createTemplate({
      name: 'versions',
      exchange: 'binance',
      symbol: 'BTC/USDT',
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '20' },
    });
    const edited = (
      await s
        .api()
        .patch(`/api/templates/${template.id}`)
        .send({ size: { cost: '30' }, notes: 'bigger' })
        .expect(200)
    ).body as {
      version: number;
      size: unknown;
    };
    expect(edited).toMatchObject({ version: 2, size: { cost: '30' } });
    expect(((await s.api().get(`/api/templates/${template.id}`).query({ version: 1 }).expect(200)).body as { size: unknown }).size).toEqual(
      { cost: '20' },
    );

    const run = (await s.api().post(`/api/templates/${template.id}/execute`).set('Idempotency-Key', `v-${driver}`).expect(201)).body as {
      executionId: string;
    };
    const again = (await s.api().post(`/api/templates/${template.id}/execute`).set('Idempotency-Key', `v-${driver}`).expect(200)).body as {
      executionId: string;
    };
    expect(again.executionId).toBe(run.executionId);
    // Without exits, entry_filled is where an execution ends.
    const done = await executionIn(run.executionId, 'entry_filled');
    expect(done.version).toBe(2);
    expect(done.closedAt).not.toBeNull();

    const copy = (await s.api().post(`/api/templates/${template.id}/duplicate`).send({}).expect(201)).body as { id: string; name: string };
    expect(copy.name).toBe('versions (copy)');
    await s.api().delete(`/api/templates/${template.id}`).expect(200);
    expect((await s.api().post(`/api/templates/${template.id}/execute`).send({}).expect(409)).body.code).toBe('TEMPLATE.DELETED');
    expect(
      ((await s.api().get(`/api/templates/${template.id}`).expect(200)).body as { deletedAt: string | null }).deletedAt,
    ).not.toBeNull();
    expect((await execution(run.executionId)).body.templateId).toBe(template.id);

    const exported = (await s.api().get('/api/templates/export').expect(200)).body as { templates: Array<{ name: string }> };
    expect(exported.templates.map((t) => t.name)).toContain('versions (copy)');
    expect(exported.templates.map((t) => t.name)).not.toContain('versions');
    const imported = (await s.api().post('/api/templates/import').send(exported).expect(201)).body as { items: unknown[] };
    expect(imported.items).toHaveLength(exported.templates.length);
    const badImport = await s
      .api()
      .post('/api/templates/import')
      .send({ templates: [exported.templates[0], { ...exported.templates[0], side: 'short' }] })
      .expect(400);
    expect(badImport.body.details.field).toBe('templates[1].side');
  });

  it('a conditional order whose action is a template runs it when it fires, exits armed from the fill', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const template = await createTemplate({
      name: 'on breakout',
      exchange: 'binance',
      side: 'buy',
      entry: { type: 'market' },
      size: { cost: '100' },
      exits: { stopLoss: { triggerPercent: '2' } },
    });
    const armed = (
      await s
        .api()
        .post('/api/conditions')
        .send({
          kind: 'conditional',
          accountId: s.binanceAccountId,
          when: { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '>=', value: '51000' } },
          then: { template: template.id, overrides: { symbol: 'BTC/USDT' } },
        })
        .expect(201)
    ).body as { id: string; then: unknown };
    expect(armed.then).toEqual({ template: template.id, overrides: { symbol: 'BTC/USDT' } });
    await s.setPrice('binance', 'BTC/USDT', '51000');
    let runs: Array<{ id: string }> = [];
    await expect
      .poll(
        async () => {
          runs = (
            (await s.api().get('/api/templates/executions').query({ conditionId: armed.id }).expect(200)).body as {
              items: Array<{ id: string }>;
            }
          ).items;
          return runs.length;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(1);
    const done = await executionIn(runs[0].id, 'exits_armed');
    const stop = await condition(done.conditionIds[0]);
    expect(stop.triggerPrice).toBe('49980');
    await s.api().delete(`/api/conditions/${stop.id}`).expect(200);

    const badTemplate = await s
      .api()
      .post('/api/conditions')
      .send({
        kind: 'conditional',
        accountId: s.upbitAccountId,
        when: { price: { exchange: 'upbit', symbol: 'BTC/KRW', op: '>=', value: '1' } },
        then: { template: template.id, overrides: { symbol: 'BTC/KRW' } },
      })
      .expect(400);
    expect(badTemplate.body.code).toBe('TEMPLATE.WRONG_EXCHANGE');
    const unknownTemplate = await s
      .api()
      .post('/api/conditions')
      .send({
        kind: 'conditional',
        accountId: s.binanceAccountId,
        when: { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '>=', value: '1' } },
        then: { template: '00000000-0000-4000-8000-000000000000', overrides: { symbol: 'BTC/USDT' } },
      })
      .expect(404);
    expect(unknownTemplate.body).toMatchObject({ code: 'TEMPLATE.NOT_FOUND', details: { field: 'then.template' } });
  });

  it('a limit entry that fills while tradedesk is down gets its exits armed after the restart', async () => {
    await s.setPrice('binance', 'BTC/USDT', '50000');
    const template = await createTemplate({
      name: 'across a restart',
      accountId: s.binanceAccountId,
      symbol: 'BTC/USDT',
      side: 'buy',
      entry: { type: 'limit', offsetPercent: '-2' },
      size: { amount: '0.004' },
      exits: { stopLoss: { triggerPercent: '3' } },
    });
    const started = (await s.api().post(`/api/templates/${template.id}/execute`).expect(201)).body as {
      executionId: string;
      orderId: string;
    };
    const order = (await s.api().get(`/api/orders/${started.orderId}`).expect(200)).body as { clientOrderId: string };
    await s.restartApp(async () => {
      await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: order.clientOrderId });
    });
    const armed = await executionIn(started.executionId, 'exits_armed', 30_000);
    expect(armed.entry.filled).toBe('0.004');
    const stop = await condition(armed.conditionIds[0]);
    expect(stop).toMatchObject({ kind: 'stop_loss', status: 'ARMED', triggerPrice: '47530' });
    await s.api().delete(`/api/conditions/${stop.id}`).expect(200);
  });
});
