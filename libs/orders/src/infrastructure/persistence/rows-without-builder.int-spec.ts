import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import { dec, insertRows, OutboxMessageOrmEntity, selectRows, updateRow } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { type DataSource, type EntityManager, type EntityTarget, In, type ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingOrderRow } from '../../application/order-rows.js';
import { OrderOrmEntity } from './order.orm-entity.js';
import { OrderTimelineOrmEntity } from './order-timeline.orm-entity.js';
import { TradeOrmEntity } from './trade.orm-entity.js';
import { bootTestApp, type TestApp } from '../../../../../test/support/boot-test-app.js';

/**
 * insertRows and updateRow write the order path's rows without TypeORM's query builder (issue 14).
 * What they store must be what the builder stores, to the byte: every column of the raw rows is
 * compared with a twin written through the builder, and both read back as equal entities.
 */
describe.each(TEST_DRIVERS)('rows written without the query builder on %s', (driver) => {
  let t: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
    dataSource = t.app.get<DataSource>(getDataSourceToken());
  });
  afterAll(async () => {
    await t?.close();
  });

  const p = (n: number) => (driver === 'postgres' ? `$${n}` : '?');
  /** The stored row as the database has it, without the columns that differ between twins. */
  async function stored(table: string, id: unknown, differing: string[]): Promise<Record<string, unknown>> {
    const [row] = await dataSource.query<Array<Record<string, unknown>>>(`SELECT * FROM ${table} WHERE id = ${p(1)}`, [id]);
    expect(row, `${table} ${String(id)}`).toBeDefined();
    return Object.fromEntries(Object.entries(row).filter(([k]) => !differing.includes(k)));
  }
  /** Runs `work` in a transaction and answers the SQL it sent through `manager.query` (the path without the builder). */
  async function sentDirectly(work: (manager: EntityManager) => Promise<void>): Promise<string[]> {
    const sent: string[] = [];
    await dataSource.transaction(async (manager) => {
      const query = manager.query.bind(manager);
      manager.query = (sql: string, parameters?: unknown[]) => {
        sent.push(sql);
        return query(sql, parameters);
      };
      await work(manager);
    });
    return sent;
  }
  async function viaBuilder<T extends ObjectLiteral>(entity: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[]): Promise<void> {
    await dataSource.manager.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).execute();
  }

  function order(fields: Partial<OrderOrmEntity> = {}): OrderOrmEntity {
    const id = randomUUID();
    return Object.assign(
      pendingOrderRow({
        id,
        accountId: randomUUID(),
        exchange: 'binance',
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        amount: dec('0.000123456789012345'),
        price: dec('50123.45'),
        purpose: 'manual',
        idempotencyKey: `key-${id}`,
        requestHash: 'ab'.repeat(32),
        createdAt: new Date('2026-12-07T01:02:03.456Z'),
      }),
      { submittedAt: new Date('2026-12-07T01:02:03.999Z'), needsAttention: true },
      fields,
    );
  }

  it('an order with decimals, nulls, a boolean, dates and a left-out version column is stored and read back as the builder has it', async () => {
    const fast = order();
    const twin = Object.assign(order(), { accountId: fast.accountId, idempotencyKey: 'twin', clientOrderId: 'twin-client' });
    const sent = await sentDirectly((manager) => insertRows(manager, OrderOrmEntity, [fast]));
    expect(sent).toEqual([expect.stringMatching(/^INSERT INTO "orders"\(/)]);
    await viaBuilder(OrderOrmEntity, [twin]);
    const differing = ['id', 'client_order_id', 'clientOrderId', 'idempotency_key', 'idempotencyKey'];
    expect(await stored('orders', fast.id, differing)).toEqual(await stored('orders', twin.id, differing));
    const [a, b] = await Promise.all([fast.id, twin.id].map((id) => dataSource.manager.findOneByOrFail(OrderOrmEntity, { id })));
    expect(a.version).toBe(1);
    expect({ ...a, id: '', clientOrderId: '', idempotencyKey: '' }).toEqual({ ...b, id: '', clientOrderId: '', idempotencyKey: '' });
  });

  it('trades, timeline lines (generated ids, in the order given) and outbox messages (JSON, defaults left out) are stored as the builder has them', async () => {
    const orderId = randomUUID();
    const trade = (tradeId: string) => ({
      id: randomUUID(),
      accountId: 'acc',
      orderId,
      tradeId,
      symbol: 'BTC/KRW',
      side: 'sell' as const,
      price: dec('143000000'),
      amount: dec('0.00349650'),
      fee: dec('249.9997500'),
      feeCurrency: 'KRW',
      untracked: null,
      timestamp: new Date('2026-12-07T02:00:00.001Z'),
      recordedAt: new Date('2026-12-07T02:00:00.5Z'),
    });
    const [t1, t2] = [trade('t-1'), trade('t-2')];
    expect(await sentDirectly((manager) => insertRows(manager, TradeOrmEntity, [t1]))).toHaveLength(1);
    await viaBuilder(TradeOrmEntity, [t2]);
    expect(await stored('trades', t1.id, ['id', 'trade_id', 'tradeId'])).toEqual(
      await stored('trades', t2.id, ['id', 'trade_id', 'tradeId']),
    );

    const line = (event: string) => ({
      orderId,
      at: new Date('2026-12-07T02:00:01Z'),
      event,
      status: 'FILLED',
      cause: 'submission',
      details: JSON.stringify({ filled: '0.0034965' }),
    });
    expect(await sentDirectly((manager) => insertRows(manager, OrderTimelineOrmEntity, ['one', 'two', 'three'].map(line)))).toHaveLength(1);
    await viaBuilder(OrderTimelineOrmEntity, [line('four')]);
    const lines = await dataSource.manager.find(OrderTimelineOrmEntity, { where: { orderId }, order: { id: 'ASC' } });
    expect(lines.map((l) => l.event)).toEqual(['one', 'two', 'three', 'four']);
    expect(await stored('order_timeline', lines[0].id, ['id', 'event'])).toEqual(
      await stored('order_timeline', lines[3].id, ['id', 'event']),
    );

    const message = () => ({
      id: randomUUID(),
      topic: 'test.fast',
      payload: { orderId, nested: { list: [1, 'two'] } },
      availableAt: new Date('2026-12-07T02:00:02Z'),
      claimedUntil: null,
      createdAt: new Date('2026-12-07T02:00:02Z'),
    });
    const [m1, m2] = [message(), message()];
    expect(await sentDirectly((manager) => insertRows(manager, OutboxMessageOrmEntity, [m1]))).toHaveLength(1);
    await viaBuilder(OutboxMessageOrmEntity, [m2]);
    const m1Stored = await stored('outbox_messages', m1.id, ['id']);
    expect(m1Stored).toEqual(await stored('outbox_messages', m2.id, ['id']));
    expect(m1Stored.priority).toBe(100);
  });

  it('rows that leave out different columns, and more rows than one statement binds, all go in', async () => {
    const orderId = randomUUID();
    const mixed = [
      { id: randomUUID(), topic: 'test.mixed', payload: {}, availableAt: new Date(), createdAt: new Date(), priority: 5 },
      { id: randomUUID(), topic: 'test.mixed', payload: {}, availableAt: new Date(), createdAt: new Date() },
    ];
    await dataSource.transaction((manager) => insertRows(manager, OutboxMessageOrmEntity, mixed));
    const priorities = await Promise.all(mixed.map((m) => dataSource.manager.findOneByOrFail(OutboxMessageOrmEntity, { id: m.id })));
    expect(priorities.map((m) => m.priority)).toEqual([5, 100]);

    const many = Array.from({ length: 12_000 }, (_, i) => ({
      orderId,
      at: new Date(),
      event: `e${i}`,
      status: 'OPEN',
      cause: 'test',
      details: null,
    }));
    // 6 values a line: 5,000 lines a statement.
    expect(await sentDirectly((manager) => insertRows(manager, OrderTimelineOrmEntity, many))).toHaveLength(3);
    const written = await dataSource.manager.find(OrderTimelineOrmEntity, {
      where: { orderId },
      order: { id: 'ASC' },
      select: { event: true },
    });
    expect(written.map((l) => l.event)).toEqual(many.map((l) => l.event));
  });

  it('updateRow writes what manager.update writes and bumps the version the same way', async () => {
    const [a, b] = [order(), order()];
    await viaBuilder(OrderOrmEntity, [a, b]);
    const changes = {
      exchangeOrderId: 'ex-1',
      filled: dec('0.000123456789012345'),
      cost: dec('6.18802419875'),
      average: dec('50123.45'),
      fee: null,
      feeCurrency: 'BNB',
      status: 'FILLED' as const,
      needsAttention: false,
      updatedAt: new Date('2026-12-07T03:00:00.123Z'),
    };
    expect(await sentDirectly((manager) => updateRow(manager, OrderOrmEntity, a.id, changes))).toEqual([
      expect.stringMatching(/^UPDATE "orders" SET .*"version" = "version" \+ 1 WHERE "id" = /),
    ]);
    await dataSource.manager.update(OrderOrmEntity, { id: b.id }, changes);
    const differing = ['id', 'client_order_id', 'clientOrderId', 'account_id', 'accountId', 'idempotency_key', 'idempotencyKey'];
    expect(await stored('orders', a.id, differing)).toEqual(await stored('orders', b.id, differing));
    expect((await dataSource.manager.findOneByOrFail(OrderOrmEntity, { id: a.id })).version).toBe(2);
  });

  it('selectRows reads the entities find reads: by id, IN, ordered and limited, locked on PostgreSQL', async () => {
    const rows = [order(), order({ status: 'FILLED', average: dec('50000.5'), fee: dec('0.0000001'), feeCurrency: 'BTC' }), order()];
    await viaBuilder(OrderOrmEntity, rows);
    const ids = rows.map((r) => r.id);
    const direct = await selectRows(dataSource.manager, OrderOrmEntity, {
      where: { id: ids },
      orderBy: { property: 'id', direction: 'ASC' },
    });
    const found = await dataSource.manager.find(OrderOrmEntity, { where: { id: In(ids) }, order: { id: 'ASC' } });
    expect(direct).toEqual(found);
    expect(direct[0]).toBeInstanceOf(OrderOrmEntity);
    expect(await selectRows(dataSource.manager, OrderOrmEntity, { where: { id: [] } })).toEqual([]);

    const orderId = randomUUID();
    await insertRows(
      dataSource.manager,
      OrderTimelineOrmEntity,
      ['a', 'b', 'c'].map((event) => ({ orderId, at: new Date(), event, status: 'OPEN', cause: 'test', details: null })),
    );
    const lines = await selectRows(dataSource.manager, OrderTimelineOrmEntity, {
      where: { orderId },
      orderBy: { property: 'id', direction: 'DESC' },
      limit: 2,
    });
    expect(lines).toEqual(await dataSource.manager.find(OrderTimelineOrmEntity, { where: { orderId }, order: { id: 'DESC' }, take: 2 }));

    const sent = await sentDirectly(async (manager) => {
      await selectRows(manager, OrderOrmEntity, { where: { id: ids[0] }, forUpdate: true });
    });
    expect(sent).toEqual([driver === 'postgres' ? expect.stringMatching(/ FOR UPDATE$/) : expect.not.stringMatching(/FOR UPDATE/)]);
  });
});
