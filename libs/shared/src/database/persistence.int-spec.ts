import { EventBus } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { type DataSource, In } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvent } from '../ddd/domain-event.js';
import { MAX_HANDLERS_IN_FLIGHT, Outbox } from '../outbox/outbox.js';
import { RetryLater } from '../outbox/outbox-message.js';
import { OutboxMessageOrmEntity } from '../outbox/outbox-message.orm-entity.js';
import { UnitOfWork } from './unit-of-work.js';
import { TradedeskDataSource } from './tradedesk-data-source.js';
import { bootTestApp, type TestApp } from '../../../../test/support/boot-test-app.js';

class SomethingHappened extends DomainEvent {
  constructor(readonly what: string) {
    super();
  }
}

const byText = (a: unknown, b: unknown): number => String(a).localeCompare(String(b));

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
    expect(delivered.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    // The failed message waits for its backoff; make it due and drain again.
    await dataSource.getRepository(OutboxMessageOrmEntity).update({ status: 'pending' }, { availableAt: new Date(0) });
    await outbox.drain();
    await dataSource.getRepository(OutboxMessageOrmEntity).update({ status: 'pending' }, { availableAt: new Date(0) });
    await outbox.drain();
    expect(delivered.filter((n) => n === 0)).toHaveLength(1);
    const rows = await dataSource.getRepository(OutboxMessageOrmEntity).findBy({ topic: `test.deliver.${driver}` });
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    // Two failures counted; claims themselves are not attempts.
    expect(rows.find((r) => r.payload.n === 0)?.attempts).toBe(2);

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

  it('a message left claimed by a killed process is delivered again (released at start on SQLite, after its lease on PostgreSQL), without counting as an attempt', async () => {
    const delivered: string[] = [];
    outbox.register(`test.orphan.${driver}`, async (m) => {
      delivered.push(m.id);
    });
    const message = await uow.run((tx) => outbox.enqueue(tx, `test.orphan.${driver}`, {}, { availableAt: new Date(0) }));
    const repo = dataSource.getRepository(OutboxMessageOrmEntity);
    // What a process killed mid-handler leaves behind: a claim still running.
    await repo.update({ id: message.id }, { claimedUntil: new Date(Date.now() + 60_000) });
    await outbox.drain();
    expect(delivered).toEqual([]);

    const restarted = new Outbox(uow);
    restarted.register(`test.orphan.${driver}`, async (m) => {
      delivered.push(m.id);
    });
    restarted.register(`test.deliver.${driver}`, async () => undefined);
    restarted.register(`test.later.${driver}`, async () => undefined);
    restarted.register('test.noop', async () => undefined);
    await restarted.start(60_000);
    try {
      if (driver === 'sqlite') {
        // The database belongs to one process: the restarted one releases the dead claim at once.
        await expect.poll(() => delivered, { timeout: 10_000 }).toEqual([message.id]);
      } else {
        // Another live instance may hold it: only the lease's end frees it.
        await restarted.drain();
        expect(delivered).toEqual([]);
        await repo.update({ id: message.id }, { claimedUntil: new Date(Date.now() - 1) });
        await restarted.drain();
        expect(delivered).toEqual([message.id]);
      }
      expect(await repo.findOneByOrFail({ id: message.id })).toMatchObject({ status: 'done', attempts: 0 });
    } finally {
      await restarted.onApplicationShutdown();
    }
  });

  it("a message enqueued already claimed runs its caller's work, not the topic handler; a failed work goes to the handler later; a rolled-back one leaves nothing", async () => {
    const topic = `test.claimed.${driver}`;
    const byHandler: string[] = [];
    outbox.register(topic, async (m) => {
      byHandler.push(String(m.payload.n));
    });
    const repo = dataSource.getRepository(OutboxMessageOrmEntity);
    const claimed = await uow.run((tx) =>
      outbox.enqueueClaimed(
        tx,
        topic,
        [1, 2, 3].map((n) => ({ payload: { n }, availableAt: new Date(0) })),
      ),
    );
    expect(claimed).toHaveLength(3);
    // Due, but held by this process: no drain takes it.
    await outbox.drain();
    expect(byHandler).toEqual([]);

    const ran: number[] = [];
    await outbox.completeClaimed([claimed[0]]);
    await outbox.runClaimed(claimed[1], async () => {
      ran.push(2);
    });
    await outbox.runClaimed(claimed[2], async () => {
      throw new Error('the exchange is away');
    });
    expect(ran).toEqual([2]);
    const rows = await repo.findBy({ id: In(claimed.map((c) => c.id)) });
    const status = (id: string) => rows.find((r) => r.id === id)!;
    expect(status(claimed[0].id)).toMatchObject({ status: 'done', claimedUntil: null });
    expect(status(claimed[1].id)).toMatchObject({ status: 'done', claimedUntil: null });
    expect(status(claimed[2].id)).toMatchObject({ status: 'pending', attempts: 1, claimedUntil: null, lastError: 'the exchange is away' });
    await repo.update({ id: claimed[2].id }, { availableAt: new Date(0) });
    await outbox.drain();
    expect(byHandler).toEqual(['3']);

    let rolledBack: Awaited<ReturnType<Outbox['enqueueClaimed']>> = [];
    await expect(
      uow.run(async (tx) => {
        rolledBack = await outbox.enqueueClaimed(tx, topic, [{ payload: { n: 4 } }]);
        throw new Error('the firing transaction failed');
      }),
    ).rejects.toThrow('the firing transaction failed');
    outbox.abandonClaimed(rolledBack);
    expect(await repo.countBy({ id: rolledBack[0].id })).toBe(0);
  });

  it('renews the claim of a message whose handler is still running, so no other dispatcher takes it over', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const runner = new Outbox(uow);
    let calls = 0;
    runner.register(`test.slow.${driver}`, async () => {
      calls++;
      await blocked;
    });
    await runner.start(60_000);
    try {
      const message = await uow.run((tx) => runner.enqueue(tx, `test.slow.${driver}`, {}));
      // start() drains as soon as the message commits; dispatchNow covers the case where it did not yet.
      void runner.dispatchNow(message.id);
      const repo = dataSource.getRepository(OutboxMessageOrmEntity);
      await expect.poll(() => calls, { timeout: 5_000 }).toBe(1);
      const first = (await repo.findOneByOrFail({ id: message.id })).claimedUntil!.getTime();
      await expect
        .poll(async () => (await repo.findOneByOrFail({ id: message.id })).claimedUntil?.getTime() ?? 0, { timeout: 15_000, interval: 250 })
        .toBeGreaterThan(first);
      expect(await outbox.dispatchNow(message.id)).toBe(false);
      release();
      await expect.poll(async () => (await repo.findOneByOrFail({ id: message.id })).status, { timeout: 5_000 }).toBe('done');
      expect(calls).toBe(1);
      expect((await repo.findOneByOrFail({ id: message.id })).claimedUntil).toBeNull();
    } finally {
      release();
      await runner.onApplicationShutdown();
    }
  });
  it('runs at most MAX_HANDLERS_IN_FLIGHT handlers at once, keeps slots for protective messages, and runs what a handler dispatches in its own slot', async () => {
    const runner = new Outbox(uow);
    let inFlight = 0;
    let peak = 0;
    let children = 0;
    const childDispatches: boolean[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const hold = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate;
      inFlight--;
    };
    runner.register(`test.ordinary.${driver}`, hold);
    runner.register(`test.child.${driver}`, async () => {
      children++;
    });
    runner.register(`test.protective.${driver}`, async () => {
      // Every slot may be taken: the child must not wait for one, or parent and child wait forever.
      // Held back from the poller, as an order's submission is: only this dispatch runs it.
      const child = await uow.run((tx) =>
        runner.enqueue(tx, `test.child.${driver}`, {}, { priority: 0, availableAt: new Date(Date.now() + 60_000) }),
      );
      childDispatches.push(await runner.dispatchNow(child.id));
      await hold();
    });
    await uow.run(async (tx) => {
      for (let n = 0; n < 40; n++) await runner.enqueue(tx, `test.ordinary.${driver}`, { n }, { availableAt: new Date(0) });
    });
    const draining = runner.drain();
    const ordinaryLimit = MAX_HANDLERS_IN_FLIGHT - 8;
    await expect.poll(() => inFlight, { timeout: 10_000 }).toBe(ordinaryLimit);

    // Ordinary work holds every slot it may take; protective messages still get the reserved ones.
    const protective = await uow.run(async (tx) =>
      Promise.all(Array.from({ length: 9 }, () => runner.enqueue(tx, `test.protective.${driver}`, {}, { priority: 0 }))),
    );
    const dispatched = protective.map((m) => runner.dispatchNow(m.id));
    await expect.poll(() => [inFlight, children], { timeout: 10_000 }).toEqual([MAX_HANDLERS_IN_FLIGHT, 8]);

    open();
    expect(await Promise.all(dispatched)).toEqual(Array(9).fill(true));
    await draining;
    expect(peak).toBe(MAX_HANDLERS_IN_FLIGHT);
    expect(children).toBe(9);
    expect(childDispatches).toEqual(Array(9).fill(true));
    const rows = await dataSource
      .getRepository(OutboxMessageOrmEntity)
      .findBy([{ topic: `test.ordinary.${driver}` }, { topic: `test.protective.${driver}` }, { topic: `test.child.${driver}` }]);
    expect(rows.map((r) => r.status)).toEqual(Array(58).fill('done'));
  });

  it("an autocommit read never sees another unit's uncommitted rows", async () => {
    const id = `autocommit-${driver}`;
    let inserted!: () => void;
    const insertedNow = new Promise<void>((r) => (inserted = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let committed = false;
    const unit = uow
      .run(async (tx) => {
        await outbox.enqueue(tx, 'test.noop', { n: 3 }, { id });
        inserted();
        await released;
      })
      .then(() => (committed = true));
    await insertedNow;
    const read = uow.autocommit((manager) => manager.findOneBy(OutboxMessageOrmEntity, { id })).then((row) => ({ row, committed }));
    if (driver === 'postgres') {
      // Its own pooled connection: it answers at once, without the row that is not committed yet.
      expect(await read).toEqual({ row: null, committed: false });
      release();
      await unit;
    } else {
      // The one connection is inside the open transaction: the read waits for its commit.
      release();
      await unit;
      const seenAfter = await read;
      expect(seenAfter.committed).toBe(true);
      expect(seenAfter.row?.id).toBe(id);
    }
    expect(await uow.autocommit((manager) => manager.countBy(OutboxMessageOrmEntity, { id }))).toBe(1);
  });

  it('runGrouped: of units arriving together, one that throws is rolled back and rejected alone; the others commit with their events and after-commit callbacks', async () => {
    const topic = `test.grouped.${driver}`;
    const afterCommit: string[] = [];
    // Queued in one turn: on SQLite they share one transaction, each in a savepoint; on PostgreSQL each is its own.
    const units = ['a', 'b', 'boom', 'c'].map((what) =>
      uow.runGrouped(async (tx) => {
        await outbox.enqueue(tx, topic, { what });
        tx.publish(new SomethingHappened(`grouped-${what}`));
        tx.afterCommit(() => afterCommit.push(what));
        if (what === 'boom') throw new Error('this unit fails');
        return what;
      }),
    );
    const settled = await Promise.allSettled(units);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'a',
      'b',
      'this unit fails',
      'c',
    ]);
    const rows = await dataSource.getRepository(OutboxMessageOrmEntity).findBy({ topic });
    expect(rows.map((r) => r.payload.what).sort(byText)).toEqual(['a', 'b', 'c']);
    const published = seen.filter((s) => s.startsWith('grouped-'));
    published.sort(byText);
    expect(published).toEqual(['grouped-a', 'grouped-b', 'grouped-c']);
    afterCommit.sort(byText);
    expect(afterCommit).toEqual(['a', 'b', 'c']);
  });
  it('runGrouped: a unit queued just as the writer finishes its last group is still written (none is stranded)', async () => {
    // The caller of one unit queues the next a few microtask hops after the first resolved: one of
    // these lands between the drain loop's last "anything left?" and the moment it counts as ended.
    for (let hops = 0; hops < 12; hops++) {
      const second = uow
        .runGrouped(async () => 'first')
        .then(async () => {
          for (let i = 0; i < hops; i++) await Promise.resolve();
          return uow.runGrouped(async () => 'second');
        });
      const deadline = new Promise<string>((resolve) => setTimeout(() => resolve(`stranded after ${hops} hops`), 2_000));
      expect(await Promise.race([second, deadline])).toBe('second');
    }
  });
  it('dispatchNow from two instances at once runs the message once, and not at all once it is done', async () => {
    const other = new Outbox(uow);
    let runs = 0;
    const topic = `test.now.${driver}`;
    outbox.register(topic, async () => {
      runs++;
    });
    other.register(topic, async () => {
      runs++;
    });
    const ids: string[] = [];
    await uow.run(async (tx) => {
      for (let n = 0; n < 20; n++) ids.push((await outbox.enqueue(tx, topic, { n })).id);
    });
    const claimed = await Promise.all(ids.flatMap((id) => [outbox.dispatchNow(id), other.dispatchNow(id)]));
    expect(claimed.filter(Boolean)).toHaveLength(20);
    expect(runs).toBe(20);
    expect(await outbox.dispatchNow(ids[0])).toBe(false);
    expect(runs).toBe(20);
    const rows = await dataSource.getRepository(OutboxMessageOrmEntity).findBy({ topic });
    expect(rows.map((r) => r.status)).toEqual(Array(20).fill('done'));
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
    // A second instance: the same schema and database through a connection pool of its own.
    const second = new TradedeskDataSource(t.app.get<DataSource>(getDataSourceToken()).options);
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
