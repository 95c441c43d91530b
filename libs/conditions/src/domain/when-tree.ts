import { type Decimal, dec, ValidationError } from '@tradedesk/shared';
import { PRICE_SOURCES, type PriceSource } from './condition.types.js';

export type PriceOp = '>=' | '<=' | 'crossesAbove' | 'crossesBelow';
const PRICE_OPS: readonly PriceOp[] = ['>=', '<=', 'crossesAbove', 'crossesBelow'];
const PREMIUM_OPS: readonly PriceOp[] = PRICE_OPS;

export interface PriceLeaf {
  price: { exchange?: string; symbol?: string; source: PriceSource; op: PriceOp; value: Decimal };
}
export interface ChangeLeaf {
  change: { exchange?: string; symbol?: string; source: PriceSource; percent: Decimal };
}
export interface PremiumLeaf {
  premium: { base: string; op: PriceOp; value: Decimal };
}
export interface TimeLeaf {
  time: { at?: Date; afterMs?: number; between?: [Date, Date] };
}
export type WhenNode = { all: WhenNode[] } | { any: WhenNode[] } | PriceLeaf | ChangeLeaf | PremiumLeaf | TimeLeaf;

function fail(path: string, problem: string): never {
  throw new ValidationError('CONDITION.INVALID_WHEN', `${path}: ${problem}`, { field: path });
}

const DECIMAL = /^-?(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;

function decimalAt(value: unknown, path: string, allowNegative = false): Decimal {
  if (typeof value !== 'string' || !DECIMAL.test(value) || (!allowNegative && value.startsWith('-')))
    fail(path, `must be a ${allowNegative ? '' : 'positive '}decimal string such as "50000"`);
  return dec(value);
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], path: string): void {
  for (const key of Object.keys(o))
    if (!allowed.includes(key)) fail(`${path}.${key}`, `is not a known field (one of ${allowed.join(', ')})`);
}

function instantAt(value: unknown, path: string): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value)))
    fail(path, 'must be an ISO-8601 instant such as "2026-12-31T00:00:00Z"');
  return new Date(value);
}

/** ISO-8601 durations with days, hours, minutes and seconds (`P1D`, `PT5M`, `PT1H30M`, `PT0.5S`). */
export function parseIsoDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) return undefined;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

function opAt(value: unknown, path: string, ops: readonly PriceOp[]): PriceOp {
  if (typeof value !== 'string' || !ops.includes(value as PriceOp)) fail(path, `must be one of ${ops.join(', ')}`);
  return value as PriceOp;
}

function marketRef(o: Record<string, unknown>, path: string): { exchange?: string; symbol?: string; source: PriceSource } {
  const out: { exchange?: string; symbol?: string; source: PriceSource } = { source: 'last' };
  if (o.exchange !== undefined) {
    if (o.exchange !== 'binance' && o.exchange !== 'upbit') fail(`${path}.exchange`, 'must be one of binance, upbit');
    out.exchange = o.exchange;
  }
  if (o.symbol !== undefined) {
    if (typeof o.symbol !== 'string' || !SYMBOL.test(o.symbol)) fail(`${path}.symbol`, 'must look like BTC/USDT or BTC/KRW');
    out.symbol = o.symbol;
  }
  if (o.source !== undefined) {
    if (!PRICE_SOURCES.includes(o.source as PriceSource)) fail(`${path}.source`, `must be one of ${PRICE_SOURCES.join(', ')}`);
    out.source = o.source as PriceSource;
  }
  return out;
}

/**
 * Parses a `when` tree of api.md; every problem names its path (e.g. `when.all[1].price.op`).
 * `now` rejects a `time.at` in the past.
 */
export function parseWhen(raw: unknown, now: Date, path = 'when'): WhenNode {
  const o = objectAt(raw, path);
  const keys = Object.keys(o);
  if (keys.length !== 1) fail(path, 'must have exactly one of all, any, price, change, premium, time');
  const key = keys[0]!;
  const inner = o[key];
  const at = `${path}.${key}`;
  switch (key) {
    case 'all':
    case 'any': {
      if (!Array.isArray(inner) || inner.length === 0) fail(at, 'must be a non-empty array');
      const children = inner.map((child, i) => parseWhen(child, now, `${at}[${i}]`));
      return key === 'all' ? { all: children } : { any: children };
    }
    case 'price': {
      const p = objectAt(inner, at);
      onlyKeys(p, ['exchange', 'symbol', 'source', 'op', 'value'], at);
      return { price: { ...marketRef(p, at), op: opAt(p.op, `${at}.op`, PRICE_OPS), value: decimalAt(p.value, `${at}.value`) } };
    }
    case 'change': {
      const c = objectAt(inner, at);
      onlyKeys(c, ['exchange', 'symbol', 'source', 'percent'], at);
      const percent = decimalAt(c.percent, `${at}.percent`, true);
      if (percent.isZero()) fail(`${at}.percent`, 'must not be 0');
      return { change: { ...marketRef(c, at), percent } };
    }
    case 'premium': {
      const p = objectAt(inner, at);
      onlyKeys(p, ['base', 'op', 'value'], at);
      if (typeof p.base !== 'string' || !/^[A-Z0-9]{1,12}$/.test(p.base)) fail(`${at}.base`, 'must be a base asset such as BTC');
      return { premium: { base: p.base, op: opAt(p.op, `${at}.op`, PREMIUM_OPS), value: decimalAt(p.value, `${at}.value`, true) } };
    }
    case 'time': {
      const t = objectAt(inner, at);
      onlyKeys(t, ['at', 'after', 'between', 'every'], at);
      if (t.every !== undefined) fail(`${at}.every`, 'recurring cron rules are not supported yet');
      const leaf: TimeLeaf['time'] = {};
      if (t.at !== undefined) {
        leaf.at = instantAt(t.at, `${at}.at`);
        if (leaf.at.getTime() <= now.getTime()) fail(`${at}.at`, 'is in the past');
      }
      if (t.after !== undefined) {
        const ms = typeof t.after === 'string' ? parseIsoDuration(t.after) : undefined;
        if (ms === undefined) fail(`${at}.after`, 'must be an ISO-8601 duration such as "PT5M"');
        leaf.afterMs = ms;
      }
      if (t.between !== undefined) {
        if (!Array.isArray(t.between) || t.between.length !== 2) fail(`${at}.between`, 'must be [from, to]');
        const from = instantAt(t.between[0], `${at}.between[0]`);
        const to = instantAt(t.between[1], `${at}.between[1]`);
        if (to.getTime() <= from.getTime()) fail(`${at}.between[1]`, 'must be after between[0]');
        if (to.getTime() <= now.getTime()) fail(`${at}.between[1]`, 'is in the past');
        leaf.between = [from, to];
      }
      if (Object.keys(leaf).length === 0) fail(at, 'needs one of at, after, between');
      return { time: leaf };
    }
    default:
      return fail(`${path}.${key}`, 'must be one of all, any, price, change, premium, time');
  }
}

/** What a tree needs to be evaluated: observed prices and per-leaf memory (crosses, change references). */
export interface WhenContext {
  now: Date;
  armedAt: Date;
  /** Price of a leaf's market (undefined when not observed this tick). */
  price(leaf: { exchange?: string; symbol?: string; source: PriceSource }): Decimal | undefined;
  premium(base: string): Decimal | undefined;
  /** Per-leaf memory, keyed by path; the evaluator writes the new observation back. */
  memory: Record<string, string>;
}

function compare(op: PriceOp, value: Decimal, threshold: Decimal, previous: Decimal | undefined): boolean {
  switch (op) {
    case '>=':
      return value.gte(threshold);
    case '<=':
      return value.lte(threshold);
    case 'crossesAbove':
      // The first observation only sets the reference (trading-semantics.md).
      return previous !== undefined && previous.lt(threshold) && value.gte(threshold);
    case 'crossesBelow':
      return previous !== undefined && previous.gt(threshold) && value.lte(threshold);
  }
}

/** Evaluates the tree; every leaf is visited (no short-circuit) so crossing references stay current. */
export function evaluateWhen(node: WhenNode, ctx: WhenContext, path = 'when'): boolean {
  if ('all' in node) return node.all.map((c, i) => evaluateWhen(c, ctx, `${path}.all[${i}]`)).every(Boolean);
  if ('any' in node) return node.any.map((c, i) => evaluateWhen(c, ctx, `${path}.any[${i}]`)).some(Boolean);
  if ('price' in node || 'premium' in node) {
    const leaf = 'price' in node ? node.price : node.premium;
    const observed = 'price' in node ? ctx.price(node.price) : ctx.premium(node.premium.base);
    const previousRaw = ctx.memory[path];
    const previous = previousRaw === undefined ? undefined : dec(previousRaw);
    if (observed === undefined) return false;
    ctx.memory[path] = observed.toFixed();
    return compare(leaf.op, observed, leaf.value, previous);
  }
  if ('change' in node) {
    const observed = ctx.price(node.change);
    if (observed === undefined) return false;
    const refRaw = ctx.memory[path];
    if (refRaw === undefined) {
      ctx.memory[path] = observed.toFixed();
      return false;
    }
    const reference = dec(refRaw);
    const target = reference.times(dec(100).plus(node.change.percent)).div(100);
    return node.change.percent.gt(0) ? observed.gte(target) : observed.lte(target);
  }
  const t = node.time;
  const now = ctx.now.getTime();
  if (t.at && now < t.at.getTime()) return false;
  if (t.afterMs !== undefined && now < ctx.armedAt.getTime() + t.afterMs) return false;
  if (t.between && (now < t.between[0].getTime() || now >= t.between[1].getTime())) return false;
  return true;
}

/** Visits every leaf. */
export function leavesOf(node: WhenNode): Array<PriceLeaf | ChangeLeaf | PremiumLeaf | TimeLeaf> {
  if ('all' in node) return node.all.flatMap(leavesOf);
  if ('any' in node) return node.any.flatMap(leavesOf);
  return [node];
}

/** The next instant after `now` at which a time leaf changes its answer (for the next-due index). */
export function nextDueAt(node: WhenNode, armedAt: Date, now: Date): Date | undefined {
  const candidates: number[] = [];
  for (const leaf of leavesOf(node)) {
    if (!('time' in leaf)) continue;
    const t = leaf.time;
    if (t.at) candidates.push(t.at.getTime());
    if (t.afterMs !== undefined) candidates.push(armedAt.getTime() + t.afterMs);
    if (t.between) candidates.push(t.between[0].getTime(), t.between[1].getTime());
  }
  const future = candidates.filter((c) => c > now.getTime()).sort((a, b) => a - b);
  return future.length ? new Date(future[0]!) : undefined;
}
