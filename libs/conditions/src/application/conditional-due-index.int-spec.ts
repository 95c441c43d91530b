import { randomUUID } from 'node:crypto';
import { QueryBus } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { ExchangeGateways } from '@tradedesk/exchanges';
import { type OrderPlacement } from '@tradedesk/orders';
import { dec, Outbox, OutboxMessageOrmEntity, UnitOfWork } from '@tradedesk/shared';
import { TEST_DRIVERS, waitFor } from '@tradedesk/testing';
import { bootTestApp, type TestApp } from '../../../../test/support/boot-test-app.js';
import type { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConditionTimelineOrmEntity } from '../infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { ConditionEngine, FIRE_TOPIC } from './condition-engine.js';
import { ConditionsPulse } from './conditions-pulse.js';
import { ConditionSettlement } from './condition-settlement.js';

const ACCOUNT = '22222222-2222-4222-8222-222222222222';
const gateways = { listAccounts: async () => [] } as unknown as ExchangeGateways;
/** This test's account exists nowhere: exits cannot be checked, so they take the order-intent path, which is what it exercises. */
const intentPathOnly = { prepare: () => Promise.reject(new Error('no exchange account in this test')) } as unknown as OrderPlacement;
const MINUTE = 60_000;

function conditional(when: unknown, overrides: Partial<ConditionOrmEntity> = {}): QueryDeepPartialEntity<ConditionOrmEntity> {
  const now = new Date();
  return {
    id: randomUUID(),
    kind: 'conditional',
    status: 'ARMED',
    version: 1,
    accountId: ACCOUNT,
    exchange: 'binance',
    source: 'last',
    executionType: 'market',
    onDowntime: 'fire',
    whenTree: JSON.stringify(when),
    action: JSON.stringify({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.001' }),
    orderIds: '[]',
    firings: 0,
    armedAt: now,
    createdAt: now,
    changedAt: now,
    ...overrides,
  };
}

describe.each(TEST_DRIVERS)('conditionals driven by the next-due index on %s', (driver) => {
  let t: TestApp;
  let ds: DataSource;
  let uow: UnitOfWork;
  let outbox: Outbox;
  beforeAll(async () => {
    // The app's own scheduler ticks once at start and then not for an hour: the engines here are the only ones evaluating.
    t = await bootTestApp({ database: driver, env: { TICK_MS: '3600000' } });
    ds = t.app.get<DataSource>(getDataSourceToken());
    uow = t.app.get(UnitOfWork);
    const real = t.app.get(Outbox);
    // Intents are enqueued for real but not dispatched: nothing places orders for the fake account.
    outbox = { enqueue: real.enqueue.bind(real), dispatchNow: async () => false } as unknown as Outbox;
    // The first tick runs once the start-up reconciliation is done, and start-up has started the outbox by then.
    await waitFor(() => t.app.get(ConditionsPulse).lastTickAt !== undefined, 'the first scheduler tick');
    // The app's own dispatcher is stopped too: woken by a commit, it would run an intent at once and
    // fail its condition (unknown account) before a test reads it.
    await real.onApplicationShutdown();
  });
  afterAll(async () => {
    await t?.close();
  });

  const engine = () => new ConditionEngine(uow, outbox, gateways, intentPathOnly, t.app.get(QueryBus));
  // One row per insert: TypeORM's multi-row insert on SQLite writes generated values back into the wrong objects.
  const insert = async (...rows: Array<QueryDeepPartialEntity<ConditionOrmEntity>>) => {
    for (const r of rows) await ds.getRepository(ConditionOrmEntity).insert(r);
  };
  const row = (id: unknown) => ds.getRepository(ConditionOrmEntity).findOneByOrFail({ id: id as string });
  const intents = async (id: unknown) =>
    (await ds.getRepository(OutboxMessageOrmEntity).findBy({ topic: FIRE_TOPIC })).filter((m) => m.payload.conditionId === id);
  const timeline = (id: unknown) =>
    ds.getRepository(ConditionTimelineOrmEntity).find({ where: { conditionId: id as string }, order: { id: 'ASC' } });

  it('a conditional with only a future time leaf is not evaluated before its due time, and fires on the first tick at or after it', async () => {
    const due = new Date(Date.now() + 60 * MINUTE);
    const c = conditional({ time: { at: due.toISOString() } });
    await insert(c);
    const e = engine();
    await e.sync();
    expect(e.nextDue()?.getTime()).toBe(due.getTime());
    for (const at of [Date.now(), Date.now() + 30 * MINUTE, due.getTime() - 1]) {
      expect((await e.evaluateTimeAndConditionals(new Date(at))).fired).toBe(0);
    }
    expect(e.evaluations).toBe(0);
    expect((await e.evaluateTimeAndConditionals(new Date(due.getTime() + 250))).fired).toBe(1);
    expect(e.evaluations).toBe(1);
    expect((await row(c.id)).status).toBe('FIRING');
    expect(await intents(c.id)).toHaveLength(1);
  });

  it('a price conditional is evaluated when a quote of its market changes, not every tick, and a cross still needs the previous observation', async () => {
    const symbol = 'BTC/USDT';
    const c = conditional({ price: { symbol, op: 'crossesAbove', value: '100' } });
    await insert(c);
    const e = engine();
    await e.sync();
    const tick = async (price?: string) => {
      if (price) await e.observe(ACCOUNT, { [symbol]: { last: dec(price) } });
      return e.evaluateTimeAndConditionals();
    };
    // Loaded: evaluated once (nothing observed yet); then only when the quote moves.
    expect((await tick()).fired).toBe(0);
    expect(e.evaluations).toBe(1);
    expect((await tick('99')).fired).toBe(0);
    expect(e.evaluations).toBe(2);
    await tick('99');
    await tick();
    await tick();
    expect(e.evaluations).toBe(2);
    expect((await tick('101')).fired).toBe(1);
    expect(e.evaluations).toBe(3);
    const fired = await row(c.id);
    expect(JSON.parse(fired.memory!)).toEqual({ when: '101' });
  });

  it('occurrences of an every rule missed while down: fire → one catch-up firing; skip → a missed line, still ARMED, fires at the next occurrence', async () => {
    const armedAt = new Date(Date.now() - 10 * MINUTE);
    const when = { time: { every: '0 * * * * *' } };
    const fire = conditional(when, { armedAt, onDowntime: 'fire' });
    const skip = conditional(when, { armedAt, onDowntime: 'skip' });
    await insert(fire, skip);
    const e = engine();
    await e.sync();
    const now = new Date();
    expect(await e.evaluateTimeAndConditionals(now)).toMatchObject({ fired: 1, missed: 1 });

    const fired = await row(fire.id);
    expect([fired.status, fired.firings]).toEqual(['FIRING', 1]);
    expect(await intents(fire.id)).toHaveLength(1);
    const triggered = (await timeline(fire.id)).find((l) => l.event === 'triggered')!;
    expect(JSON.parse(triggered.details!)).toMatchObject({ crossedWhileDown: true, policy: 'fire' });

    const skipped = await row(skip.id);
    expect([skipped.status, skipped.firings]).toEqual(['ARMED', 0]);
    expect(await intents(skip.id)).toHaveLength(0);
    const missed = (await timeline(skip.id)).filter((l) => l.event === 'missed');
    expect(missed).toHaveLength(1);
    expect(missed[0].status).toBe('ARMED');
    const latest = Math.floor(now.getTime() / MINUTE) * MINUTE;
    expect(JSON.parse(missed[0].details!)).toMatchObject({ policy: 'skip', latestMissed: new Date(latest).toISOString() });
    expect(JSON.parse(skipped.memory!)).toEqual({ when: new Date(latest).toISOString() });

    // Armed for the next occurrence: not before it, then once, on time (no downtime verdict).
    const next = latest + MINUTE;
    expect(e.nextDue(now)?.getTime()).toBe(next);
    expect((await e.evaluateTimeAndConditionals(new Date(next - 1))).fired).toBe(0);
    expect((await e.evaluateTimeAndConditionals(new Date(next + 100))).fired).toBe(1);
    expect((await row(skip.id)).firings).toBe(1);
    const onTime = (await timeline(skip.id)).find((l) => l.event === 'triggered')!;
    expect(JSON.parse(onTime.details!)).toEqual({ source: 'last', leg: 'when', occurrence: new Date(next).toISOString() });
  });

  it("a recurring rule's filled order re-arms it for its next occurrence; past its expiry it ends EXPIRED; a one-shot rule is DONE", async () => {
    const handler = t.app.get(ConditionSettlement);
    const fired = (when: unknown, overrides: Partial<ConditionOrmEntity> = {}) =>
      conditional(when, {
        status: 'FIRED',
        version: 3,
        firings: 1,
        lastOrderId: randomUUID(),
        memory: JSON.stringify({ when: new Date(Date.now() - 500).toISOString() }),
        ...overrides,
      });
    const recurring = fired({ time: { every: '0 0 * * * *' } });
    const expired = fired({ time: { every: '0 0 * * * *' } }, { expiresAt: new Date(Date.now() - 1000) });
    const oneShot = fired({ time: { after: 'PT1S' } });
    await insert(recurring, expired, oneShot);
    for (const c of [recurring, expired, oneShot]) await handler.settle(c.lastOrderId as string, 'FILLED', '0.001');

    const rearmed = await row(recurring.id);
    expect(rearmed.status).toBe('ARMED');
    const line = (await timeline(recurring.id)).at(-1)!;
    expect(line.event).toBe('rearmed');
    const nextHour = new Date(Math.floor(Date.now() / (60 * MINUTE)) * 60 * MINUTE + 60 * MINUTE).toISOString();
    expect(JSON.parse(line.details!)).toEqual({ orderId: recurring.lastOrderId, firings: 1, nextOccurrence: nextHour });
    expect((await row(expired.id)).status).toBe('EXPIRED');
    expect((await timeline(expired.id)).at(-1)!.event).toBe('expired');
    expect((await row(oneShot.id)).status).toBe('DONE');
    // A second settle of the same order changes nothing.
    await handler.settle(recurring.lastOrderId as string, 'FILLED', '0.001');
    expect((await row(recurring.id)).version).toBe(rearmed.version);

    // An engine picks it up armed for the next occurrence and does not evaluate it before then.
    const e = engine();
    await e.sync();
    expect(e.nextDue()?.toISOString()).toBe(nextHour);
    await e.evaluateTimeAndConditionals();
    expect(e.evaluations).toBe(0);
  });
});
