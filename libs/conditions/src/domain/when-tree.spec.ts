import { type Decimal, dec, ValidationError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { evaluateWhen, nextDueAt, parseIsoDuration, parseWhen, type WhenContext } from './when-tree.js';

const NOW = new Date('2026-11-26T12:00:00Z');

function ctx(prices: Record<string, string>, memory: Record<string, string> = {}, now = NOW, premium?: string): WhenContext {
  return {
    now,
    armedAt: NOW,
    memory,
    price: (leaf) => (prices[leaf.symbol ?? 'BTC/USDT'] ? dec(prices[leaf.symbol ?? 'BTC/USDT']!) : undefined),
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
    expect(fieldOf(() => parseWhen({ time: { every: '* * * * *' } }, NOW))).toBe('when.time.every');
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
