import { CommandBus } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import { TEST_DRIVERS } from '@tradedesk/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordNotificationCommand, type RecordOutcome } from './record-notification.command.js';
import type { NotificationDraft } from '../../../domain/notification-draft.js';
import { bootTestApp, type TestApp } from '../../../../../../test/support/boot-test-app.js';

/**
 * Drafts arriving together are recorded in one transaction (issue 14: a burst of fills, each with
 * its notification). Each is still told once: a fact told by an earlier draft of the same batch,
 * or of an earlier batch, is not told again; and a draft that cannot be recorded fails alone.
 */
describe.each(TEST_DRIVERS)('notifications recorded in batches on %s', (driver) => {
  let t: TestApp;
  let commands: CommandBus;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await bootTestApp({ database: driver });
    commands = t.app.get(CommandBus);
    dataSource = t.app.get<DataSource>(getDataSourceToken());
  });
  afterAll(async () => {
    await t?.close();
  });

  const draft = (key: string, extra: Partial<NotificationDraft> = {}): NotificationDraft => ({
    type: 'order.filled',
    subject: `order:${key}`,
    factKeys: [`fill:${key}`],
    data: { orderId: key, symbol: 'BTC/USDT', side: 'buy', filled: '0.001', average: '50000', at: new Date().toISOString() },
    ...extra,
  });
  const record = (d: NotificationDraft) => commands.execute<RecordNotificationCommand, RecordOutcome>(new RecordNotificationCommand(d));
  const p = (n: number) => (driver === 'postgres' ? `$${n}` : '?');
  async function factsOf(...keys: string[]): Promise<Record<string, number | null>> {
    const rows = await dataSource.query<Array<{ factKey: string; notificationId: number | string | null }>>(
      `SELECT "factKey", "notificationId" FROM notification_facts WHERE "factKey" IN (${keys.map((_, i) => p(i + 1)).join(', ')})`,
      keys,
    );
    return Object.fromEntries(rows.map((r) => [r.factKey, r.notificationId === null ? null : Number(r.notificationId)]));
  }
  const countNotifications = async (): Promise<number> =>
    Number((await dataSource.query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM notifications'))[0].n);
  const idOf = (o: PromiseSettledResult<RecordOutcome>): number | undefined =>
    o.status === 'fulfilled' && o.value.recorded ? o.value.notificationId : undefined;

  it('a fact told by an earlier draft of the same batch is not told again', async () => {
    // The first starts a transaction on its own; the rest arrive while it runs and form one batch.
    const outcomes = await Promise.allSettled([
      record(draft('a0')),
      record(draft('a1')),
      record(draft('a2', { factKeys: ['fill:a1', 'fill:a2'] })),
      record(draft('a3')),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? (o.value.recorded ? 'recorded' : o.value.why) : 'failed'))).toEqual([
      'recorded',
      'recorded',
      'told-already',
      'recorded',
    ]);
    const facts = await factsOf('fill:a0', 'fill:a1', 'fill:a2', 'fill:a3');
    expect(facts).toEqual({
      'fill:a0': idOf(outcomes[0]),
      'fill:a1': idOf(outcomes[1]),
      'fill:a2': idOf(outcomes[1]),
      'fill:a3': idOf(outcomes[3]),
    });
    expect(new Set(Object.values(facts)).size).toBe(3);
    // Told once, whoever asks again later.
    await expect(record(draft('a3'))).resolves.toEqual({ recorded: false, why: 'told-already' });
  });

  it('a draft that cannot be recorded fails alone: the others of its batch are recorded once', async () => {
    const before = await countNotifications();
    const outcomes = await Promise.allSettled([
      record(draft('b0')),
      record(draft('b1')),
      // Nothing JSON can hold: its insert throws, and with it its batch's transaction.
      record(draft('b2', { data: { orderId: 'b2', amount: 10n } })),
      record(draft('b3')),
      record(draft('b4', { factKeys: ['fill:b0', 'fill:b4'] })),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? (o.value.recorded ? 'recorded' : o.value.why) : 'failed'))).toEqual([
      'recorded',
      'recorded',
      'failed',
      'recorded',
      'told-already',
    ]);
    const after = await countNotifications();
    expect(after - before).toBe(3);
    expect(await factsOf('fill:b0', 'fill:b1', 'fill:b2', 'fill:b3', 'fill:b4')).toEqual({
      'fill:b0': idOf(outcomes[0]),
      'fill:b1': idOf(outcomes[1]),
      'fill:b3': idOf(outcomes[3]),
      'fill:b4': idOf(outcomes[0]),
    });
  });
});
