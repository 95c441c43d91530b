import { EventBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import { bootTestApp, TEST_DRIVERS, type TestApp } from '@tradedesk/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvent } from '../ddd/domain-event.js';
import { Outbox, RetryLater } from '../outbox/outbox.js';
import { OutboxMessageOrmEntity } from '../outbox/outbox-message.orm-entity.js';
import { UnitOfWork } from './unit-of-work.js';
import { TradedeskDataSource, dataSourceOptions } from './tradedesk-data-source.js';
import { persistenceSchema } from '../../../../apps/api/src/persistence/schema.js';
import { AppConfig } from '../config/app-config.js';

class SomethingHappened extends DomainEvent {
  constructor(readonly what: string) {
    super();
  }
}

@EventsHandler(SomethingHappened)
class Unused implements IEventHandler<SomethingHappened> {
  handle(): void {}
}
void Unused;

describe.each(TEST_DRIVERS)('persistence platform on %s', (driver) => {
  let t: TestApp;
  let uow: UnitOfWork;
  let outbox: Outbox;
  let dataSource: DataSource;
  const seen: string[] = [];

  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
    uow = t.app.get(UnitOfWork);
    // The app's own dispatcher polls in the background; these tests drive a dispatcher of their own.
    await t.app.get(Outbox).onApplicationShutdown();
    outbox = new Outbox(uow);
    dataSource = t.app.get<DataSource>(getDataSourceToken());
    t.app.get(EventBus).subscribe((event) => {
      if (event instanceof SomethingHappened) seen.push(event.what);
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('leaves no schema drift after the migrations (what migration:generate would produce is empty)', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('publishes events only after commit, and never on rollback', async () => {
    await uow.run(async (tx) => {
      tx.publish(new SomethingHappened('committed'));
      expect(seen).not.toContain('committed');
      await outbox.enqueue(tx, 'test.noop', { n: 1 });
    });
    expect(seen).toContain('committed');

    const before = await dataSource.getRepository(OutboxMessageOrmEntity).count();
    await expect(
      uow.run(async (tx) => {
        tx.publish(new SomethingHappened('rolled-back'));
        await outbox.enqueue(tx, 'test.noop', { n: 2 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).not.toContain('rolled-back');
    expect(await dataSource.getRepository(OutboxMessageOrmEntity).count()).toBe(before);
  });

  it('dispatches each outbox message once, retries failures, and parks RetryLater without counting it', async () => {
    const delivered: number[] = [];
    let failuresLeft = 2;
    outbox.register(`test.deliver.${driver}`, async (m) => {
      const n = m.payload.n as number;
      if (n === 0 && failuresLeft-- > 0) throw new Error('flaky');
      delivered.push(n);
    });
    outbox.register('test.noop', async () => undefined);
    await uow.run(async (tx) => {
      for (let n = 0; n < 40; n++) await outbox.enqueue(tx, `test.deliver.${driver}`, { n }, { availableAt: new Date(0) });
    });
    await outbox.drain();
    expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    // The failed message waits for its backoff; make it due and drain again.
    await dataSource.getRepository(OutboxMessageOrmEntity).update({ status: 'pending' }, { availableAt: new Date(0) });
    await outbox.drain();
    await dataSource.getRepository(OutboxMessageOrmEntity).update({ status: 'pending' }, { availableAt: new Date(0) });
    await outbox.drain();
    expect(delivered.filter((n) => n === 0)).toHaveLength(1);
    const rows = await dataSource.getRepository(OutboxMessageOrmEntity).findBy({ topic: `test.deliver.${driver}` });
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    expect(rows.find((r) => r.payload.n === 0)?.attempts).toBe(3);

    let calls = 0;
    outbox.register(`test.later.${driver}`, async () => {
      calls++;
      throw new RetryLater('exchange busy', 60_000);
    });
    const message = await uow.run((tx) => outbox.enqueue(tx, `test.later.${driver}`, {}));
    expect(await outbox.dispatchNow(message.id)).toBe(true);
    expect(calls).toBe(1);
    const parked = await dataSource.getRepository(OutboxMessageOrmEntity).findOneByOrFail({ id: message.id });
    expect(parked).toMatchObject({ status: 'pending', attempts: 0, lastError: 'exchange busy' });
    expect(parked.availableAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Not due yet: the dispatcher's pass leaves it alone.
    await outbox.drain();
    expect(calls).toBe(1);
  });
});

describe('outbox on postgres with two instances', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ database: 'postgres' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shares the outbox between instances without delivering a message twice (SKIP LOCKED)', async () => {
    await t.app.get(Outbox).onApplicationShutdown();
    const uow = t.app.get(UnitOfWork);
    const outbox = new Outbox(uow);
    const config = AppConfig.fromEnv({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir });
    const second = new TradedeskDataSource(dataSourceOptions(config.database, persistenceSchema));
    await second.initialize();
    try {
      const otherOutbox = new Outbox(new UnitOfWork(second, { publishAll: () => undefined } as unknown as EventBus));
      const deliveries: string[] = [];
      const handler = async (m: { id: string }) => {
        deliveries.push(m.id);
      };
      outbox.register('test.shared', handler);
      otherOutbox.register('test.shared', handler);
      await uow.run(async (tx) => {
        for (let n = 0; n < 200; n++) await outbox.enqueue(tx, 'test.shared', { n });
      });
      const counts = await Promise.all([outbox.drain(), otherOutbox.drain(), outbox.drain(), otherOutbox.drain()]);
      expect(new Set(deliveries).size).toBe(200);
      expect(deliveries).toHaveLength(200);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
      expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
    } finally {
      await second.destroy();
    }
  });
});
