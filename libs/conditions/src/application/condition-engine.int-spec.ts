import { randomUUID } from 'node:crypto';
import { QueryBus } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { ExchangeGateways } from '@tradedesk/exchanges';
import type { OrderPlacement } from '@tradedesk/orders';
import { dec, Outbox, OutboxMessageOrmEntity, UnitOfWork } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { bootTestApp, type TestApp } from '../../../../test/support/boot-test-app.js';
import { In, type DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConditionTimelineOrmEntity } from '../infrastructure/persistence/condition-timeline.orm-entity.js';
import { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';
import { ConditionEngine, FIRE_TOPIC } from './condition-engine.js';

const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const gateways = { listAccounts: async () => [] } as unknown as ExchangeGateways;
/** This test's account exists nowhere: exits cannot be checked, so they take the order-intent path, which is what it exercises. */
const intentPathOnly = { prepare: () => Promise.reject(new Error('no exchange account in this test')) } as unknown as OrderPlacement;

function stop(overrides: Partial<ConditionOrmEntity> = {}): QueryDeepPartialEntity<ConditionOrmEntity> {
  const now = new Date();
  return {
    id: randomUUID(),
    kind: 'stop_loss',
    status: 'ARMED',
    version: 1,
    accountId: ACCOUNT,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    watchAccountId: ACCOUNT,
    watchSymbol: 'BTC/USDT',
    source: 'last',
    stopPrice: dec(48000),
    amount: '0.001',
    executionType: 'market',
    onDowntime: 'fire',
    orderIds: '[]',
    firings: 0,
    armedAt: now,
    createdAt: now,
    changedAt: now,
    ...overrides,
  };
}

describe.each(TEST_DRIVERS)('condition engines on one %s database', (driver) => {
  let t: TestApp;
  let ds: DataSource;
  let uow: UnitOfWork;
  let outbox: Outbox;
  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
    ds = t.app.get<DataSource>(getDataSourceToken());
    uow = t.app.get(UnitOfWork);
    outbox = t.app.get(Outbox);
    // The stops below protect a position this account bought (exits never sell more than one holds).
    for (const symbol of ['BTC/USDT', 'SOL/USDT', 'ETH/USDT'])
      await ds.getRepository('PositionOrmEntity').insert({
        accountId: ACCOUNT,
        symbol,
        quantity: dec(10),
        costBasis: dec(500000),
        realizedPnl: dec(0),
        totalBought: dec(500000),
        otherFees: '{}',
        openedAt: new Date(),
        updatedAt: new Date(),
        version: 1,
      });
  });
  afterAll(async () => {
    await t?.close();
  });

  const engine = () => new ConditionEngine(uow, outbox, gateways, intentPathOnly, t.app.get(QueryBus));
  const ticker = (price: string) => ({ 'BTC/USDT': { last: dec(price) } });

  it('two engines observing the same crossing fire each of 60 stops once: one CAS winner, one intent, one triggered line', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => stop({ stopPrice: dec(48000 + i) }));
    await ds.getRepository(ConditionOrmEntity).insert(rows);
    const ids = rows.map((r) => r.id as string);
    const [a, b] = [engine(), engine()];
    await Promise.all([a.sync(), b.sync()]);
    // Nothing is crossed at 50,000.
    expect((await a.observe(ACCOUNT, ticker('50000'))).fired).toBe(0);
    const reports = await Promise.all([a.observe(ACCOUNT, ticker('40000')), b.observe(ACCOUNT, ticker('40000'))]);
    expect(reports[0].fired + reports[1].fired).toBe(60);
    const intents = await ds.getRepository(OutboxMessageOrmEntity).findBy({ topic: FIRE_TOPIC });
    const perCondition = new Map<string, number>();
    for (const m of intents)
      perCondition.set(m.payload.conditionId as string, (perCondition.get(m.payload.conditionId as string) ?? 0) + 1);
    for (const id of ids) expect(perCondition.get(id)).toBe(1);
    const triggered = await ds.getRepository(ConditionTimelineOrmEntity).findBy({ conditionId: In(ids), event: 'triggered' });
    expect(triggered).toHaveLength(60);
    const stored = await ds.getRepository(ConditionOrmEntity).findBy({ id: In(ids) });
    expect(stored.every((r) => r.status !== 'ARMED' && r.firings === 1)).toBe(true);
  });

  it('persists a moved high-water mark in a batch, and a new engine resumes from it', async () => {
    const symbol = 'SOL/USDT';
    const trailing = stop({ kind: 'trailing_stop', symbol, watchSymbol: symbol, stopPrice: null, trailPercent: dec(10) });
    await ds.getRepository(ConditionOrmEntity).insert([trailing]);
    const e = engine();
    await e.sync();
    await e.observe(ACCOUNT, { [symbol]: { last: dec(100) } });
    await e.observe(ACCOUNT, { [symbol]: { last: dec(120) } });
    expect(await e.flush()).toBe(1);
    const row = await ds.getRepository(ConditionOrmEntity).findOneByOrFail({ id: trailing.id as string });
    expect(row.highWaterMark?.toFixed()).toBe('120');
    const restarted = engine();
    await restarted.sync();
    expect((await restarted.observe(ACCOUNT, { [symbol]: { last: dec(108.5) } })).fired).toBe(0);
    expect((await restarted.observe(ACCOUNT, { [symbol]: { last: dec(108) } })).fired).toBe(1);
  });

  it('a trigger crossed while down follows its policy (fire → FIRING, skip → MISSED), even when the first transition attempt fails', async () => {
    const symbol = 'ETH/USDT';
    const fire = stop({ symbol, watchSymbol: symbol, stopPrice: dec(3000), onDowntime: 'fire' });
    const skip = stop({ symbol, watchSymbol: symbol, stopPrice: dec(3001), onDowntime: 'skip' });
    // Taken before the insert: TypeORM's multi-row insert on SQLite writes generated values back into the objects.
    const [fireId, skipId] = [fire.id as string, skip.id as string];
    await ds.getRepository(ConditionOrmEntity).insert([fire, skip]);
    // A unit of work whose transactions fail while `failing` is set (a database hiccup mid-firing).
    let failing = false;
    const flaky = {
      driver: uow.driver,
      run: (work: Parameters<UnitOfWork['run']>[0]) => (failing ? Promise.reject(new Error('database is locked')) : uow.run(work)),
    } as unknown as UnitOfWork;
    const e = new ConditionEngine(flaky, outbox, gateways, intentPathOnly, t.app.get(QueryBus));
    await e.sync();
    failing = true;
    const first = await e.observe(ACCOUNT, { [symbol]: { last: dec(2900) } });
    expect(first.fired + first.missed).toBe(0);
    failing = false;
    await e.sync();
    // The retry is on a later tick, after the book's first observation: still judged as crossed while down.
    const second = await e.observe(ACCOUNT, { [symbol]: { last: dec(2900) } });
    expect(second).toMatchObject({ fired: 1, missed: 1 });
    const stored = await ds.getRepository(ConditionOrmEntity).findBy({ id: In([fireId, skipId]) });
    expect(Object.fromEntries(stored.map((r) => [r.id, r.status]))).toEqual({ [fireId]: 'FIRING', [skipId]: 'MISSED' });
    const lines = await ds.getRepository(ConditionTimelineOrmEntity).findBy({ conditionId: In([fireId, skipId]) });
    const triggered = lines.find((l) => l.conditionId === fireId && l.event === 'triggered');
    expect(JSON.stringify(triggered?.details)).toContain('crossedWhileDown');
    expect(lines.some((l) => l.conditionId === skipId && l.event === 'missed')).toBe(true);
  });
});
