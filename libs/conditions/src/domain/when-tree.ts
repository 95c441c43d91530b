import { type Decimal, dec, ValidationError } from '@tradedesk/shared';
import { PRICE_SOURCES, type PriceSource } from './condition.types.js';
import { CronSchedule, CronScheduleError } from './cron-schedule.js';

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
  /** `every`: a recurring cron rule; a tree holding one re-arms after each firing (ADR 0301). */
  time: { at?: Date; afterMs?: number; between?: [Date, Date]; every?: CronSchedule };
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
  const parts = value.split('T');
  if (parts.length > 2 || value === 'P' || value.endsWith('T')) return undefined;
  const days = /^P(?:(\d+)D)?$/.exec(parts[0]);
  const clock = parts.length === 2 ? /^(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(parts[1]) : [];
  if (!days || !clock) return undefined;
  const [, h, min, s] = clock;
  return ((Number(days[1] ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
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
  const tree = parseNode(raw, now, path, 1);
  const leaves = leavesOf(tree).length;
  if (leaves > MAX_WHEN_LEAVES) fail(path, `has ${leaves} leaves; at most ${MAX_WHEN_LEAVES}`);
  return tree;
}

/** A tree is evaluated every tick its markets move: its size is bounded (deeper trees are refused, naming the node). */
export const MAX_WHEN_DEPTH = 8;
export const MAX_WHEN_LEAVES = 32;

function parseNode(raw: unknown, now: Date, path: string, depth: number): WhenNode {
  if (depth > MAX_WHEN_DEPTH) fail(path, `nests deeper than ${MAX_WHEN_DEPTH} levels of all / any`);
  const o = objectAt(raw, path);
  const keys = Object.keys(o);
  if (keys.length !== 1) fail(path, 'must have exactly one of all, any, price, change, premium, time');
  const key = keys[0];
  const at = `${path}.${key}`;
  const inner = o[key];
  switch (key) {
    case 'all':
    case 'any': {
      if (!Array.isArray(inner) || inner.length === 0) fail(at, 'must be a non-empty array');
      if (inner.length > MAX_WHEN_LEAVES) fail(at, `has ${inner.length} branches; at most ${MAX_WHEN_LEAVES}`);
      const children = inner.map((child, i) => parseNode(child, now, `${at}[${i}]`, depth + 1));
      return key === 'all' ? { all: children } : { any: children };
    }
    case 'price':
      return parsePrice(objectAt(inner, at), at);
    case 'change':
      return parseChange(objectAt(inner, at), at);
    case 'premium':
      return parsePremium(objectAt(inner, at), at);
    case 'time':
      return { time: parseTime(objectAt(inner, at), at, now) };
    default:
      return fail(at, 'must be one of all, any, price, change, premium, time');
  }
}

function parsePrice(p: Record<string, unknown>, at: string): PriceLeaf {
  onlyKeys(p, ['exchange', 'symbol', 'source', 'op', 'value'], at);
  return { price: { ...marketRef(p, at), op: opAt(p.op, `${at}.op`, PRICE_OPS), value: decimalAt(p.value, `${at}.value`) } };
}

function parseChange(c: Record<string, unknown>, at: string): ChangeLeaf {
  onlyKeys(c, ['exchange', 'symbol', 'source', 'percent'], at);
  const percent = decimalAt(c.percent, `${at}.percent`, true);
  if (percent.isZero()) fail(`${at}.percent`, 'must not be 0');
  return { change: { ...marketRef(c, at), percent } };
}

function parsePremium(p: Record<string, unknown>, at: string): PremiumLeaf {
  onlyKeys(p, ['base', 'op', 'value'], at);
  if (typeof p.base !== 'string' || !/^[A-Z0-9]{1,12}$/.test(p.base)) fail(`${at}.base`, 'must be a base asset such as BTC');
  return { premium: { base: p.base, op: opAt(p.op, `${at}.op`, PREMIUM_OPS), value: decimalAt(p.value, `${at}.value`, true) } };
}

/** All the fields a time leaf gives must hold; `every` makes it recurring (ADR 0301). */
function parseTime(t: Record<string, unknown>, at: string, now: Date): TimeLeaf['time'] {
  onlyKeys(t, ['at', 'after', 'between', 'every', 'tz'], at);
  const leaf: TimeLeaf['time'] = {};
  if (t.every !== undefined) leaf.every = parseEvery(t.every, t.tz, at);
  else if (t.tz !== undefined) fail(`${at}.tz`, 'only applies to a recurring rule (every)');
  if (t.at !== undefined) {
    leaf.at = instantAt(t.at, `${at}.at`);
    if (leaf.at.getTime() <= now.getTime()) fail(`${at}.at`, 'is in the past');
  }
  if (t.after !== undefined) {
    const ms = typeof t.after === 'string' ? parseIsoDuration(t.after) : undefined;
    if (ms === undefined) fail(`${at}.after`, 'must be an ISO-8601 duration such as "PT5M"');
    leaf.afterMs = ms;
  }
  if (t.between !== undefined) leaf.between = parseBetween(t.between, at, now);
  if (Object.keys(leaf).length === 0) fail(at, 'needs one of at, after, between, every');
  return leaf;
}

function parseEvery(every: unknown, tz: unknown, at: string): CronSchedule {
  if (typeof every !== 'string') fail(`${at}.every`, 'must be a cron expression such as "0 9 * * *"');
  if (tz !== undefined && typeof tz !== 'string') fail(`${at}.tz`, 'must be an IANA time zone such as "Asia/Seoul"');
  try {
    return CronSchedule.parse(every, tz);
  } catch (error) {
    if (!(error instanceof CronScheduleError)) throw error;
    return fail(error.message.startsWith('unknown time zone') ? `${at}.tz` : `${at}.every`, error.message);
  }
}

function parseBetween(between: unknown, at: string, now: Date): [Date, Date] {
  if (!Array.isArray(between) || between.length !== 2) fail(`${at}.between`, 'must be [from, to]');
  const from = instantAt(between[0], `${at}.between[0]`);
  const to = instantAt(between[1], `${at}.between[1]`);
  if (to.getTime() <= from.getTime()) fail(`${at}.between[1]`, 'must be after between[0]');
  if (to.getTime() <= now.getTime()) fail(`${at}.between[1]`, 'is in the past');
  return [from, to];
}

/** What a tree needs to be evaluated: observed prices and per-leaf memory (crosses, change references). */
export interface WhenContext {
  now: Date;
  armedAt: Date;
  /** Price of a leaf's market (undefined when not observed this tick). */
  price(leaf: { exchange?: string; symbol?: string; source: PriceSource }): Decimal | undefined;
  premium(base: string): Decimal | undefined;
  /**
   * Per-leaf memory, keyed by path; the evaluator writes the new observation back (a price, a change
   * reference, or for `every` the ISO instant of the last occurrence it consumed).
   */
  memory: Record<string, string>;
  /** When given, every `every` occurrence consumed by this evaluation is reported here. */
  occurrences?: Occurrence[];
}

/** An `every` leaf that came due: the latest occurrence consumed and the first one that was pending. */
export interface Occurrence {
  path: string;
  /** The first occurrence after the previous one consumed (before a downtime, the one missed first). */
  first: Date;
  latest: Date;
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
  if ('price' in node) return evaluateCompared(node.price, ctx.price(node.price), ctx.memory, path);
  if ('premium' in node) return evaluateCompared(node.premium, ctx.premium(node.premium.base), ctx.memory, path);
  if ('change' in node) return evaluateChange(node.change, ctx.price(node.change), ctx.memory, path);
  return evaluateTime(node.time, ctx, path);
}

/** A leaf's memory (the previous observation, a change's reference, an `every` leaf's last occurrence), if any. */
function recall(memory: Record<string, string>, path: string): string | undefined {
  return Object.hasOwn(memory, path) ? memory[path] : undefined;
}

function evaluateCompared(
  leaf: { op: PriceOp; value: Decimal },
  observed: Decimal | undefined,
  memory: Record<string, string>,
  path: string,
): boolean {
  const previousRaw = recall(memory, path);
  if (observed === undefined) return false;
  memory[path] = observed.toFixed();
  return compare(leaf.op, observed, leaf.value, previousRaw === undefined ? undefined : dec(previousRaw));
}

/** The first observation sets the reference; the leaf holds once the price moved `percent` from it. */
function evaluateChange(leaf: ChangeLeaf['change'], observed: Decimal | undefined, memory: Record<string, string>, path: string): boolean {
  if (observed === undefined) return false;
  const referenceRaw = recall(memory, path);
  if (referenceRaw === undefined) {
    memory[path] = observed.toFixed();
    return false;
  }
  const target = dec(referenceRaw).times(dec(100).plus(leaf.percent)).div(100);
  return leaf.percent.gt(0) ? observed.gte(target) : observed.lte(target);
}

function evaluateTime(t: TimeLeaf['time'], ctx: WhenContext, path: string): boolean {
  const now = ctx.now.getTime();
  if (t.every) {
    // True once per occurrence, on the first evaluation at or after it; missed ones collapse into one.
    const reference = everyReference(ctx.memory, path, ctx.armedAt);
    const latest = t.every.latestIn(reference, ctx.now);
    if (!latest) return false;
    ctx.memory[path] = latest.toISOString();
    ctx.occurrences?.push({ path, first: t.every.next(reference) ?? latest, latest });
  }
  return timeHolds(t, now, ctx.armedAt);
}

/** The instant after which an `every` leaf looks for its next occurrence: the last one consumed, else the arming. */
function everyReference(memory: Record<string, string>, path: string, armedAt: Date): Date {
  const consumed = recall(memory, path);
  return consumed === undefined ? armedAt : new Date(consumed);
}

/** Visits every leaf. */
export function leavesOf(node: WhenNode): Array<PriceLeaf | ChangeLeaf | PremiumLeaf | TimeLeaf> {
  if ('all' in node) return node.all.flatMap(leavesOf);
  if ('any' in node) return node.any.flatMap(leavesOf);
  return [node];
}

/** Every leaf with its path (`when.all[1]`), for errors that name where a leaf went wrong. */
export function leavesWithPaths(
  node: WhenNode,
  path = 'when',
): Array<{ path: string; leaf: PriceLeaf | ChangeLeaf | PremiumLeaf | TimeLeaf }> {
  if ('all' in node) return node.all.flatMap((c, i) => leavesWithPaths(c, `${path}.all[${i}]`));
  if ('any' in node) return node.any.flatMap((c, i) => leavesWithPaths(c, `${path}.any[${i}]`));
  return [{ path, leaf: node }];
}

/** The time leaves with their paths (the keys of their memory), as `evaluateWhen` names them. */
function timeLeavesOf(node: WhenNode, path = 'when'): Array<{ path: string; time: TimeLeaf['time'] }> {
  if ('all' in node) return node.all.flatMap((c, i) => timeLeavesOf(c, `${path}.all[${i}]`));
  if ('any' in node) return node.any.flatMap((c, i) => timeLeavesOf(c, `${path}.any[${i}]`));
  return 'time' in node ? [{ path, time: node.time }] : [];
}

/** A tree with an `every` leaf is a recurring rule: after its order it re-arms instead of being done. */
export function isRecurring(node: WhenNode): boolean {
  return timeLeavesOf(node).some((l) => l.time.every !== undefined);
}

/**
 * The next instant after `now` at which a time leaf may change its answer (for the next-due index):
 * `at`, the end of `after`, both edges of `between`, and the next `every` occurrence after both the
 * last one consumed and `now`.
 */
export function nextDueAt(node: WhenNode, armedAt: Date, now: Date, memory: Record<string, string> = {}): Date | undefined {
  const candidates = timeLeavesOf(node).flatMap(({ path, time }) => timeEdges(time, path, armedAt, now, memory));
  const future = candidates.filter((c) => c > now.getTime()).sort((a, b) => a - b);
  return future.length ? new Date(future[0]) : undefined;
}

/** The instants (ms) at which one time leaf may change its answer. */
function timeEdges(t: TimeLeaf['time'], path: string, armedAt: Date, now: Date, memory: Record<string, string>): number[] {
  const edges: number[] = [];
  if (t.at) edges.push(t.at.getTime());
  if (t.afterMs !== undefined) edges.push(armedAt.getTime() + t.afterMs);
  if (t.between) edges.push(t.between[0].getTime(), t.between[1].getTime());
  if (t.every) {
    const reference = everyReference(memory, path, armedAt);
    const next = t.every.next(reference.getTime() > now.getTime() ? reference : now);
    if (next) edges.push(next.getTime());
  }
  return edges;
}

/**
 * Whether the tree may hold at `now` as far as time goes: price, change and premium leaves count as
 * true, time leaves are read without consuming an occurrence. False means only a time edge
 * (`nextDueAt`) or a quote can make it true, so an engine need not evaluate it before then.
 */
export function mayHoldAt(node: WhenNode, armedAt: Date, now: Date, memory: Record<string, string> = {}, path = 'when'): boolean {
  if ('all' in node) return node.all.every((c, i) => mayHoldAt(c, armedAt, now, memory, `${path}.all[${i}]`));
  if ('any' in node) return node.any.some((c, i) => mayHoldAt(c, armedAt, now, memory, `${path}.any[${i}]`));
  if (!('time' in node)) return true;
  const t = node.time;
  const at = now.getTime();
  if (t.every) {
    const next = t.every.next(everyReference(memory, path, armedAt));
    if (!next || next.getTime() > at) return false;
  }
  return timeHolds(t, at, armedAt);
}

/** The one-shot fields of a time leaf (`at`, `after`, `between`) at an instant (ms). */
function timeHolds(t: TimeLeaf['time'], at: number, armedAt: Date): boolean {
  if (t.at && at < t.at.getTime()) return false;
  if (t.afterMs !== undefined && at < armedAt.getTime() + t.afterMs) return false;
  return !(t.between && (at < t.between[0].getTime() || at >= t.between[1].getTime()));
}

/**
 * Memory for a recurring rule re-armed at `at`: each `every` leaf waits for an occurrence after
 * `at` (occurrences that passed while its order was working are not caught up); the other leaves'
 * memory (crossing references, change bases) is kept.
 */
export function rearmMemory(node: WhenNode, memory: Record<string, string>, at: Date): Record<string, string> {
  const out = { ...memory };
  for (const { path, time } of timeLeavesOf(node)) {
    if (!time.every) continue;
    const consumed = recall(out, path);
    if (consumed === undefined || new Date(consumed).getTime() < at.getTime()) out[path] = at.toISOString();
  }
  return out;
}

/** The next `every` occurrence any leaf waits for (for the timeline), or undefined for a one-shot tree. */
export function nextOccurrenceAt(node: WhenNode, armedAt: Date, memory: Record<string, string>): Date | undefined {
  let best: Date | undefined;
  for (const { path, time } of timeLeavesOf(node)) {
    const next = time.every?.next(everyReference(memory, path, armedAt));
    if (next && (!best || next.getTime() < best.getTime())) best = next;
  }
  return best;
}
