import { type Decimal, dec, ValidationError } from '@tradedesk/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateWhen,
  isRecurring,
  mayHoldAt,
  nextDueAt,
  nextOccurrenceAt,
  type Occurrence,
  parseIsoDuration,
  parseWhen,
  rearmMemory,
  type WhenContext,
} from './when-tree.js';

const NOW = new Date('2026-11-26T12:00:00Z');

function ctx(prices: Record<string, string>, memory: Record<string, string> = {}, now = NOW, premium?: string): WhenContext {
  return {
    now,
    armedAt: NOW,
    memory,
    price: (leaf) => (prices[leaf.symbol ?? 'BTC/USDT'] ? dec(prices[leaf.symbol ?? 'BTC/USDT']) : undefined),
    premium: (): Decimal | undefined => (premium ? dec(premium) : undefined),
  };
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details?.field as string;
  }
  return undefined;
}

describe('parseWhen', () => {
  it('names the path of a malformed leaf', () => {
    const when = { all: [{ time: { after: 'PT5M' } }, { price: { symbol: 'BTC/USDT', op: '=>', value: '50000' } }] };
    expect(fieldOf(() => parseWhen(when, NOW))).toBe('when.all[1].price.op');
    expect(fieldOf(() => parseWhen({ any: [] }, NOW))).toBe('when.any');
    expect(fieldOf(() => parseWhen({ price: { op: '>=', value: 'x' } }, NOW))).toBe('when.price.value');
    expect(fieldOf(() => parseWhen({ foo: 1 }, NOW))).toBe('when.foo');
    expect(fieldOf(() => parseWhen({ all: [{ price: { op: '>=', value: '1', colour: 'red' } }] }, NOW))).toBe('when.all[0].price.colour');
    expect(fieldOf(() => parseWhen({ time: { after: '5 minutes' } }, NOW))).toBe('when.time.after');
    expect(fieldOf(() => parseWhen({ time: { every: '61 * * * *' } }, NOW))).toBe('when.time.every');
    expect(fieldOf(() => parseWhen({ all: [{ price: { op: '>=', value: '1' } }, { time: { every: '* * * *' } }] }, NOW))).toBe(
      'when.all[1].time.every',
    );
    expect(fieldOf(() => parseWhen({ all: [{ time: { every: 5 } }] }, NOW))).toBe('when.all[0].time.every');
    expect(fieldOf(() => parseWhen({ time: { every: '0 9 * * *', tz: 'Mars/Olympus' } }, NOW))).toBe('when.time.tz');
    expect(fieldOf(() => parseWhen({ time: { at: '2026-11-27T00:00:00Z', tz: 'Asia/Seoul' } }, NOW))).toBe('when.time.tz');
    expect(fieldOf(() => parseWhen({ premium: { base: 'btc', op: '>=', value: '3' } }, NOW))).toBe('when.premium.base');
    expect(fieldOf(() => parseWhen({ change: { percent: '0' } }, NOW))).toBe('when.change.percent');
    expect(fieldOf(() => parseWhen([], NOW))).toBe('when');
  });

  it('refuses a time.at in the past and a between window that is over or reversed', () => {
    expect(fieldOf(() => parseWhen({ time: { at: '2026-11-26T11:59:59Z' } }, NOW))).toBe('when.time.at');
    expect(fieldOf(() => parseWhen({ time: { between: ['2026-11-26T10:00:00Z', '2026-11-26T11:00:00Z'] } }, NOW))).toBe(
      'when.time.between[1]',
    );
    expect(fieldOf(() => parseWhen({ time: { between: ['2026-11-27T10:00:00Z', '2026-11-27T09:00:00Z'] } }, NOW))).toBe(
      'when.time.between[1]',
    );
  });

  it('parses ISO durations', () => {
    expect(parseIsoDuration('PT5M')).toBe(300_000);
    expect(parseIsoDuration('P1DT1H')).toBe(90_000_000);
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('P')).toBeUndefined();
    expect(parseIsoDuration('PT')).toBeUndefined();
  });
});

describe('evaluateWhen', () => {
  it('crossesAbove needs a prior observation below; the first observation only sets the reference', () => {
    const when = parseWhen({ price: { op: 'crossesAbove', value: '100' } }, NOW);
    const memory: Record<string, string> = {};
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '105' }, memory))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '110' }, memory))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '99' }, memory))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '100' }, memory))).toBe(true);
  });

  it('crossesBelow mirrors it', () => {
    const when = parseWhen({ price: { op: 'crossesBelow', value: '100' } }, NOW);
    const memory: Record<string, string> = {};
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '90' }, memory))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '101' }, memory))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '100' }, memory))).toBe(true);
  });

  it('all needs every leaf, any needs one', () => {
    const all = parseWhen({ all: [{ price: { op: '<=', value: '100' } }, { price: { symbol: 'ETH/USDT', op: '>=', value: '10' } }] }, NOW);
    const any = parseWhen({ any: [{ price: { op: '<=', value: '100' } }, { price: { symbol: 'ETH/USDT', op: '>=', value: '10' } }] }, NOW);
    expect(evaluateWhen(all, ctx({ 'BTC/USDT': '100', 'ETH/USDT': '9' }))).toBe(false);
    expect(evaluateWhen(all, ctx({ 'BTC/USDT': '100', 'ETH/USDT': '10' }))).toBe(true);
    expect(evaluateWhen(any, ctx({ 'BTC/USDT': '101', 'ETH/USDT': '9' }))).toBe(false);
    expect(evaluateWhen(any, ctx({ 'BTC/USDT': '101', 'ETH/USDT': '10' }))).toBe(true);
    expect(evaluateWhen(any, ctx({}))).toBe(false);
  });

  it('time: at, after and between windows', () => {
    const at = parseWhen({ time: { at: '2026-11-26T12:10:00Z' } }, NOW);
    expect(evaluateWhen(at, ctx({}, {}, new Date('2026-11-26T12:09:59.999Z')))).toBe(false);
    expect(evaluateWhen(at, ctx({}, {}, new Date('2026-11-26T12:10:00Z')))).toBe(true);
    const after = parseWhen({ time: { after: 'PT5M' } }, NOW);
    expect(evaluateWhen(after, ctx({}, {}, new Date('2026-11-26T12:04:59Z')))).toBe(false);
    expect(evaluateWhen(after, ctx({}, {}, new Date('2026-11-26T12:05:00Z')))).toBe(true);
    const between = parseWhen({ time: { between: ['2026-11-26T13:00:00Z', '2026-11-26T14:00:00Z'] } }, NOW);
    expect(evaluateWhen(between, ctx({}, {}, new Date('2026-11-26T12:59:59Z')))).toBe(false);
    expect(evaluateWhen(between, ctx({}, {}, new Date('2026-11-26T13:30:00Z')))).toBe(true);
    expect(evaluateWhen(between, ctx({}, {}, new Date('2026-11-26T14:00:00Z')))).toBe(false);
    expect(nextDueAt(between, NOW, NOW)?.toISOString()).toBe('2026-11-26T13:00:00.000Z');
    expect(nextDueAt(between, NOW, new Date('2026-11-26T13:30:00Z'))?.toISOString()).toBe('2026-11-26T14:00:00.000Z');
    expect(nextDueAt(after, NOW, NOW)?.toISOString()).toBe('2026-11-26T12:05:00.000Z');
  });

  it('change is measured from the first observed (arming) price, signed', () => {
    const down = parseWhen({ change: { percent: '-5' } }, NOW);
    const memory: Record<string, string> = {};
    expect(evaluateWhen(down, ctx({ 'BTC/USDT': '100' }, memory))).toBe(false);
    expect(evaluateWhen(down, ctx({ 'BTC/USDT': '95.01' }, memory))).toBe(false);
    expect(evaluateWhen(down, ctx({ 'BTC/USDT': '95' }, memory))).toBe(true);
    const up = parseWhen({ change: { percent: '2' } }, NOW);
    const m2: Record<string, string> = {};
    evaluateWhen(up, ctx({ 'BTC/USDT': '100' }, m2));
    expect(evaluateWhen(up, ctx({ 'BTC/USDT': '102' }, m2))).toBe(true);
  });

  it('premium compares the observed premium in %', () => {
    const when = parseWhen({ premium: { base: 'BTC', op: '>=', value: '3' } }, NOW);
    expect(evaluateWhen(when, ctx({}, {}, NOW, '2.99'))).toBe(false);
    expect(evaluateWhen(when, ctx({}, {}, NOW, '3'))).toBe(true);
    expect(evaluateWhen(when, ctx({}, {}, NOW))).toBe(false);
  });
});

describe('time.every (recurring rules)', () => {
  const tick = (iso: string) => new Date(iso);
  const run = (when: ReturnType<typeof parseWhen>, memory: Record<string, string>, now: Date, occurrences?: Occurrence[]) =>
    evaluateWhen(when, { ...ctx({}, memory, now), ...(occurrences ? { occurrences } : {}) });

  it('is true once per occurrence, on the first evaluation at or after it', () => {
    const when = parseWhen({ time: { every: '*/5 * * * *' } }, NOW);
    expect(isRecurring(when)).toBe(true);
    const memory: Record<string, string> = {};
    expect(run(when, memory, tick('2026-11-26T12:04:59.999Z'))).toBe(false);
    expect(run(when, memory, tick('2026-11-26T12:05:00.000Z'))).toBe(true);
    expect(run(when, memory, tick('2026-11-26T12:05:00.300Z'))).toBe(false);
    expect(run(when, memory, tick('2026-11-26T12:09:59.000Z'))).toBe(false);
    expect(run(when, memory, tick('2026-11-26T12:10:00.400Z'))).toBe(true);
    expect(memory['when']).toBe('2026-11-26T12:10:00.000Z');
    expect(nextDueAt(when, NOW, tick('2026-11-26T12:10:00.400Z'), memory)?.toISOString()).toBe('2026-11-26T12:15:00.000Z');
  });

  it('occurrences missed in one gap collapse into one: true once, reporting the first and the latest', () => {
    const when = parseWhen({ all: [{ time: { every: '*/5 * * * *' } }, { price: { op: '<=', value: '100' } }] }, NOW);
    const memory: Record<string, string> = {};
    const occurrences: Occurrence[] = [];
    const after = tick('2026-11-26T13:02:00Z');
    expect(evaluateWhen(when, { ...ctx({ 'BTC/USDT': '90' }, memory, after), occurrences })).toBe(true);
    expect(occurrences).toEqual([{ path: 'when.all[0]', first: tick('2026-11-26T12:05:00Z'), latest: tick('2026-11-26T13:00:00Z') }]);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '90' }, memory, tick('2026-11-26T13:04:59Z')))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '90' }, memory, tick('2026-11-26T13:05:00Z')))).toBe(true);
  });

  it('an occurrence is consumed even when the rest of the tree is false: it does not fire later on a price move', () => {
    const when = parseWhen({ all: [{ time: { every: '0 * * * *' } }, { price: { op: '<=', value: '100' } }] }, NOW);
    const memory: Record<string, string> = {};
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '120' }, memory, tick('2026-11-26T13:00:01Z')))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '90' }, memory, tick('2026-11-26T13:20:00Z')))).toBe(false);
    expect(evaluateWhen(when, ctx({ 'BTC/USDT': '90' }, memory, tick('2026-11-26T14:00:00Z')))).toBe(true);
  });

  it('combines with between in one leaf: occurrences outside the window are consumed without holding', () => {
    const when = parseWhen({ time: { every: '0 * * * *', between: ['2026-11-26T13:30:00Z', '2026-11-26T15:30:00Z'] } }, NOW);
    const memory: Record<string, string> = {};
    expect(run(when, memory, tick('2026-11-26T13:00:00Z'))).toBe(false);
    expect(run(when, memory, tick('2026-11-26T14:00:00Z'))).toBe(true);
    expect(run(when, memory, tick('2026-11-26T15:00:00Z'))).toBe(true);
    expect(run(when, memory, tick('2026-11-26T16:00:00Z'))).toBe(false);
  });

  it('for any evaluation instants, it holds exactly at those whose interval since the previous one holds an occurrence', () => {
    const when = parseWhen({ time: { every: '*/7 * * * * *' } }, NOW);
    const schedule = 'time' in when ? when.time.every! : undefined;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 40 }), (gaps) => {
        const memory: Record<string, string> = {};
        let previous = NOW;
        for (const gap of gaps) {
          const now = new Date(previous.getTime() + gap);
          const occurrences: Occurrence[] = [];
          const held = run(when, memory, now, occurrences);
          const expected = schedule!.next(previous)!.getTime() <= now.getTime();
          expect(held).toBe(expected);
          // A catch-up is one firing: at most one occurrence reported, however many passed.
          expect(occurrences).toHaveLength(expected ? 1 : 0);
          if (expected) expect(occurrences[0].latest.getTime()).toBeGreaterThan(previous.getTime());
          previous = now;
        }
      }),
    );
  });

  it('mayHoldAt tells the index when a tree cannot hold before a time edge', () => {
    const future = parseWhen({ all: [{ time: { at: '2026-11-26T13:00:00Z' } }, { price: { op: '<=', value: '100' } }] }, NOW);
    expect(mayHoldAt(future, NOW, NOW)).toBe(false);
    expect(mayHoldAt(future, NOW, tick('2026-11-26T13:00:00Z'))).toBe(true);
    expect(nextDueAt(future, NOW, NOW)?.toISOString()).toBe('2026-11-26T13:00:00.000Z');
    const priceOnly = parseWhen({ price: { op: '<=', value: '100' } }, NOW);
    expect(mayHoldAt(priceOnly, NOW, NOW)).toBe(true);
    expect(nextDueAt(priceOnly, NOW, NOW)).toBeUndefined();
    const hourly = parseWhen({ time: { every: '0 * * * *' } }, NOW);
    expect(mayHoldAt(hourly, NOW, tick('2026-11-26T12:59:59Z'))).toBe(false);
    // A pending occurrence (passed, not yet consumed) may hold.
    expect(mayHoldAt(hourly, NOW, tick('2026-11-26T15:10:00Z'))).toBe(true);
    expect(mayHoldAt(hourly, NOW, tick('2026-11-26T15:10:00Z'), { when: '2026-11-26T15:00:00.000Z' })).toBe(false);
  });

  it('a re-armed rule waits for an occurrence after the re-arming; other memory is kept', () => {
    const when = parseWhen({ all: [{ time: { every: '*/5 * * * *' } }, { price: { op: 'crossesAbove', value: '100' } }] }, NOW);
    const memory = { 'when.all[0]': '2026-11-26T12:05:00.000Z', 'when.all[1]': '101' };
    const rearmed = rearmMemory(when, memory, tick('2026-11-26T12:16:00Z'));
    expect(rearmed).toEqual({ 'when.all[0]': '2026-11-26T12:16:00.000Z', 'when.all[1]': '101' });
    expect(nextOccurrenceAt(when, NOW, rearmed)?.toISOString()).toBe('2026-11-26T12:20:00.000Z');
    // A consumed occurrence later than the re-arming instant stays.
    expect(rearmMemory(when, memory, tick('2026-11-26T12:01:00Z'))['when.all[0]']).toBe('2026-11-26T12:05:00.000Z');
    expect(isRecurring(parseWhen({ time: { after: 'PT5M' } }, NOW))).toBe(false);
    expect(nextOccurrenceAt(parseWhen({ time: { after: 'PT5M' } }, NOW), NOW, {})).toBeUndefined();
  });

  it('reads the rule in its time zone', () => {
    const when = parseWhen({ time: { every: '0 9 * * *', tz: 'Asia/Seoul' } }, NOW);
    expect(nextDueAt(when, NOW, NOW)?.toISOString()).toBe('2026-11-27T00:00:00.000Z');
  });

  it('bounds the size of a tree: deeper than 8 levels or more than 32 leaves is refused, naming where', () => {
    const price = { price: { symbol: 'BTC/USDT', op: '<=', value: '1' } };
    const nested = (levels: number): unknown => (levels === 0 ? price : { all: [nested(levels - 1)] });
    expect(() => parseWhen(nested(7), new Date())).not.toThrow();
    expect(() => parseWhen(nested(8), new Date())).toThrow(/^when(\.all\[0\]){8}: nests deeper than 8 levels/);
    expect(() => parseWhen({ any: Array.from({ length: 32 }, () => price) }, new Date())).not.toThrow();
    expect(() => parseWhen({ any: Array.from({ length: 33 }, () => price) }, new Date())).toThrow(
      /^when\.any: has 33 branches; at most 32/,
    );
    const wide = { all: [{ any: Array.from({ length: 20 }, () => price) }, { any: Array.from({ length: 20 }, () => price) }] };
    expect(() => parseWhen(wide, new Date())).toThrow(/^when: has 40 leaves; at most 32/);
  });
});
