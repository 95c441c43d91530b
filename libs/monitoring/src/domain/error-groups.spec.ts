import { describe, expect, it } from 'vitest';
import { messagePattern } from './error-fingerprint.js';
import { ErrorGroups } from './error-groups.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 7) + minutes * 60_000);

describe('messagePattern', () => {
  it.each([
    ['order 5f0c8d1e-7a10-4e7b-9a51-2f0c8d1e7a10 timed out after 10000 ms', 'order <id> timed out after <n> ms'],
    ['binance createOrder td-3kf9a2x failed: HTTP 503', 'binance createOrder <id> failed: HTTP <n>'],
    ['hash 0x1f2e3d4c5b, price 50123.45', 'hash <id>, price <n>'],
    ['  spaces\n\tand   lines  ', 'spaces and lines'],
  ])('%s → %s', (message, pattern) => expect(messagePattern(message)).toBe(pattern));
});

describe('ErrorGroups', () => {
  const problem = (message: string, minute: number, context = 'OrderSubmission', requestId = `req-${minute}`) =>
    ({ level: 'error', message, context, requestId, at: at(minute) }) as const;

  it('groups occurrences by level, context and pattern, counting the last hour and day, with the latest as sample', () => {
    const g = new ErrorGroups();
    g.record(problem('order 1 failed after 10 ms', 0));
    g.record(problem('order 2 failed after 12 ms', 90));
    g.record(problem('order 3 failed after 14 ms', 100));
    g.record(problem('order 4 failed after 16 ms', 100, 'Reconciliation'));
    const groups = g.list(at(120));
    const other = groups.find((x) => x.context === 'OrderSubmission')!;
    const latest = groups.find((x) => x.context === 'Reconciliation')!;
    expect(g.size).toBe(2);
    expect(other).toMatchObject({ context: 'OrderSubmission', pattern: 'order <n> failed after <n> ms', lastHour: 2, lastDay: 3 });
    expect(other.firstSeen).toEqual(at(0));
    expect(other.sample).toEqual({ message: 'order 3 failed after 14 ms', requestId: 'req-100', at: at(100) });
    expect(latest).toMatchObject({ context: 'Reconciliation', lastHour: 1 });
  });

  it('forgets what is older than 24 hours, and holds at most maxGroups groups', () => {
    const g = new ErrorGroups(3);
    for (let i = 0; i < 5; i++) g.record(problem(`failure kind ${'abcde'[i]}`, i));
    expect(g.size).toBe(3);
    expect(g.list(at(10)).map((x) => x.pattern)).toEqual(['failure kind e', 'failure kind d', 'failure kind c']);
    expect(g.list(at(24 * 60 + 5))).toEqual([]);
  });
});
