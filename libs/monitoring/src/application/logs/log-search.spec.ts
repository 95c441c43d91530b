import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../domain/log-record.js';
import { decodeCursor, encodeCursor, matches } from './log-search.js';

describe('log lines', () => {
  it('reads a winston JSON entry, and anything else as unparsed, never throwing', () => {
    expect(
      parseLogLine('{"level":"warn","message":"slow","context":"Http","correlationId":"r1","timestamp":"2026-12-07T10:00:00.000Z","ms":3}'),
    ).toEqual({
      at: new Date('2026-12-07T10:00:00.000Z'),
      level: 'warn',
      message: 'slow',
      context: 'Http',
      requestId: 'r1',
      fields: { ms: 3 },
    });
    expect(parseLogLine('   ')).toBeNull();
    fc.assert(
      fc.property(fc.string(), (line) => {
        const record = parseLogLine(line);
        if (record) expect(typeof record.level).toBe('string');
      }),
    );
  });

  it('filters by level and more severe, context, request id, text and time range', () => {
    const record = parseLogLine(
      '{"level":"warn","message":"Order failed","context":"Orders","correlationId":"r1","timestamp":"2026-12-07T10:00:00Z"}',
    )!;
    const raw = 'Order failed';
    expect(matches(record, raw, { level: 'warn' })).toBe(true);
    expect(matches(record, raw, { level: 'error' })).toBe(false);
    expect(matches(record, raw, { context: 'Orders', requestId: 'r1', text: 'ORDER' })).toBe(true);
    expect(matches(record, raw, { from: new Date('2026-12-07T10:00:00Z'), to: new Date('2026-12-07T10:00:01Z') })).toBe(true);
    expect(matches(record, raw, { to: new Date('2026-12-07T10:00:00Z') })).toBe(false);
    expect(matches(parseLogLine('not json')!, 'not json', { level: 'verbose' })).toBe(false);
  });

  it('cursors round-trip, and anything else is refused', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1 }), (file, line) => {
        expect(decodeCursor(encodeCursor({ file, line }))).toEqual({ file, line });
      }),
    );
    for (const text of ['', 'garbage', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["f",0]').toString('base64url')])
      expect(decodeCursor(text)).toBeUndefined();
  });
});
