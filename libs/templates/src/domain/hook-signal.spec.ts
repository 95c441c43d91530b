import { ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { parseSignal, secretDigest, secretMatches, signalHash } from './hook-signal.js';

const template = '9b2e4f1a-7c3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('hook signals', () => {
  it('reads ISO-8601 and Unix (seconds or milliseconds) timestamps alike', () => {
    const iso = parseSignal({ secret: 's', template, timestamp: '2026-12-07T12:00:00Z' }).timestamp.getTime();
    expect(parseSignal({ secret: 's', template, timestamp: iso / 1000 }).timestamp.getTime()).toBe(iso);
    expect(parseSignal({ secret: 's', template, timestamp: iso }).timestamp.getTime()).toBe(iso);
  });

  it.each([
    [{ template, timestamp: 1 }, 'secret'],
    [{ secret: 's', template: 'BTC', timestamp: 1 }, 'template'],
    [{ secret: 's', template, timestamp: 'yesterday' }, 'timestamp'],
    [{ secret: 's', template, timestamp: 1, side: 'long' }, 'side'],
    [{ secret: 's', template, timestamp: 1, leverage: 3 }, 'leverage'],
  ])('refuses %j as HOOK.MALFORMED_SIGNAL naming %s', (body, field) => {
    try {
      parseSignal(body);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('HOOK.MALFORMED_SIGNAL');
      expect((error as ValidationError).details?.field).toBe(field);
    }
  });

  it('recognizes the same signal whatever its key order', () => {
    expect(signalHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(signalHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(signalHash({ a: 1 })).not.toBe(signalHash({ a: 2 }));
  });

  it('matches a secret against its stored digest only', () => {
    const stored = secretDigest('right');
    expect(secretMatches('right', stored)).toBe(true);
    expect(secretMatches('wrong', stored)).toBe(false);
  });
});
