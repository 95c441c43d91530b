import { parseIsoDuration } from '@tradedesk/conditions';
import { dec } from '@tradedesk/shared';
import { exactlyOne, invalid, objectWith, percentBelow100, positive, signed, SYMBOL, UUID } from './template-errors.js';

/**
 * An order template as the API takes and shows it (api.md "Template request"): relative terms —
 * an entry offset from the book, a size, exits as percentages of the actual average fill — so one
 * template serves any price. Stored normalized: decimals in their canonical form, absent fields left out.
 */
export interface TemplateDefinition {
  name: string;
  notes?: string;
  /** One of accountId or exchange: with an exchange, the template runs on that exchange's account (or the one named at execution). */
  accountId?: string;
  exchange?: TemplateExchange;
  /** Absent: one template for any market of the exchange, named at execution. */
  symbol?: string;
  side: 'buy' | 'sell';
  entry: EntryDefinition;
  size: SizeDefinition;
  exits?: ExitsDefinition;
}

export type TemplateExchange = 'binance' | 'upbit';
export type EntryDefinition = { type: 'market' } | { type: 'limit'; offsetPercent: string; expiresAfter?: string };
export type SizeDefinition = { amount: string } | { cost: string } | { balancePercent: string } | { riskPercent: string };
export interface ExitExecution {
  type: 'market' | 'limit';
  limitOffset?: string;
}
export interface LadderRung {
  offsetPercent: string;
  sizePercent: string;
}
export type TakeProfitDefinition =
  { triggerPercent: string; execution?: ExitExecution } | { ladder: LadderRung[]; execution?: ExitExecution };
export interface ExitsDefinition {
  stopLoss?: { triggerPercent: string; execution?: ExitExecution };
  takeProfit?: TakeProfitDefinition;
  trailing?: { trailPercent: string; activationPercent?: string };
  breakEvenAfterFirstTarget?: boolean;
}

export const MAX_LADDER_RUNGS = 10;
export const MAX_NAME_LENGTH = 100;
export const MAX_NOTES_LENGTH = 2000;
/** The longest a limit entry may rest before it is cancelled. */
export const MAX_ENTRY_EXPIRY_MS = 30 * 24 * 3600_000;

const TOP_FIELDS = ['name', 'notes', 'accountId', 'exchange', 'symbol', 'side', 'entry', 'size', 'exits'];
const SIZE_FIELDS = ['amount', 'cost', 'balancePercent', 'riskPercent'] as const;

/** A template request checked field by field (a 400 names the first field that is wrong), normalized. */
export function parseDefinition(input: unknown): TemplateDefinition {
  const o = objectWith(input, TOP_FIELDS, '');
  const side = o.side;
  if (side !== 'buy' && side !== 'sell') invalid('side', 'must be buy or sell');
  const definition: TemplateDefinition = {
    name: text(o.name, 'name', MAX_NAME_LENGTH),
    ...(o.notes !== undefined ? { notes: text(o.notes, 'notes', MAX_NOTES_LENGTH, true) } : {}),
    ...venue(o),
    ...(o.symbol !== undefined ? { symbol: symbolOf(o.symbol, 'symbol') } : {}),
    side,
    entry: parseEntry(o.entry),
    size: parseSize(o.size, 'size'),
  };
  if (o.exits !== undefined) {
    if (side === 'sell') invalid('exits', 'exits protect what a buy bought: a sell template takes none', 'TEMPLATE.EXITS_NEED_A_BUY');
    const exits = parseExits(o.exits);
    if (Object.keys(exits).length > 0) definition.exits = exits;
  }
  checkSizeAgainstExits(definition);
  return definition;
}

/** A size as the template or an override gives it: exactly one of amount, cost, balancePercent, riskPercent. */
export function parseSize(value: unknown, field: string): SizeDefinition {
  const o = objectWith(value, SIZE_FIELDS, field);
  const kind = exactlyOne(o, SIZE_FIELDS, field);
  const at = `${field}.${kind}`;
  switch (kind) {
    case 'amount':
      return { amount: positive(o.amount, at).toFixed() };
    case 'cost':
      return { cost: positive(o.cost, at).toFixed() };
    case 'balancePercent': {
      const p = positive(o.balancePercent, at);
      if (p.gt(100)) invalid(at, 'must be at most 100 (percent of the free balance)');
      return { balancePercent: p.toFixed() };
    }
    default:
      return { riskPercent: percentBelow100(o.riskPercent, at).toFixed() };
  }
}

/** A risk-sized entry is sized from its stop distance: it needs a stop-loss, and only a buy has one. */
export function checkSizeAgainstExits(definition: Pick<TemplateDefinition, 'side' | 'size' | 'exits'>, field = 'size'): void {
  if (!('riskPercent' in definition.size)) return;
  if (definition.side !== 'buy') invalid(`${field}.riskPercent`, 'only a buy is sized from a risk (its stop-loss distance)');
  if (!definition.exits?.stopLoss)
    invalid(`${field}.riskPercent`, 'a risk-sized entry needs exits.stopLoss: the size is the risk divided by the stop distance');
}

export function symbolOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SYMBOL.test(value)) invalid(field, 'must look like BTC/USDT or BTC/KRW');
  return value;
}

function text(value: unknown, field: string, max: number, multiline = false): string {
  if (typeof value !== 'string' || value.trim() === '') invalid(field, 'must be a non-empty string');
  if (value.length > max) invalid(field, `must be at most ${max} characters`);
  if (!multiline && /[\r\n]/.test(value)) invalid(field, 'must be one line');
  return value;
}

function venue(o: Record<string, unknown>): { accountId: string } | { exchange: TemplateExchange } {
  if ((o.accountId === undefined) === (o.exchange === undefined))
    invalid('accountId', 'give exactly one of accountId (one account) or exchange (any account of it)');
  if (o.accountId !== undefined) {
    if (typeof o.accountId !== 'string' || !UUID.test(o.accountId)) invalid('accountId', 'must be an account id (UUID)');
    return { accountId: o.accountId.toLowerCase() };
  }
  if (o.exchange !== 'binance' && o.exchange !== 'upbit') invalid('exchange', 'must be binance or upbit');
  return { exchange: o.exchange };
}

function parseEntry(value: unknown): EntryDefinition {
  const o = objectWith(value, ['type', 'offsetPercent', 'expiresAfter'], 'entry');
  if (o.type === 'market') {
    if (o.offsetPercent !== undefined) invalid('entry.offsetPercent', 'only a limit entry has an offset');
    if (o.expiresAfter !== undefined) invalid('entry.expiresAfter', 'only a limit entry expires');
    return { type: 'market' };
  }
  if (o.type !== 'limit') invalid('entry.type', 'must be market or limit');
  if (o.offsetPercent === undefined)
    invalid('entry.offsetPercent', 'a limit entry needs its offset from the best bid (buy) or ask (sell), e.g. "-0.2"');
  const offset = signed(o.offsetPercent, 'entry.offsetPercent');
  if (offset.abs().gte(100)) invalid('entry.offsetPercent', 'must lie between -100 and 100 (percent)');
  const entry: EntryDefinition = { type: 'limit', offsetPercent: offset.toFixed() };
  if (o.expiresAfter !== undefined) {
    const ms = typeof o.expiresAfter === 'string' ? parseIsoDuration(o.expiresAfter) : undefined;
    if (ms === undefined || ms <= 0) invalid('entry.expiresAfter', 'must be an ISO-8601 duration such as "PT30M"');
    if (ms > MAX_ENTRY_EXPIRY_MS) invalid('entry.expiresAfter', 'must be at most 30 days (P30D)');
    entry.expiresAfter = o.expiresAfter as string;
  }
  return entry;
}

function parseExits(value: unknown): ExitsDefinition {
  const o = objectWith(value, ['stopLoss', 'takeProfit', 'trailing', 'breakEvenAfterFirstTarget'], 'exits');
  const exits: ExitsDefinition = {};
  if (o.stopLoss !== undefined) exits.stopLoss = parseStopLoss(o.stopLoss);
  if (o.takeProfit !== undefined) exits.takeProfit = parseTakeProfit(o.takeProfit);
  if (o.trailing !== undefined) exits.trailing = parseTrailing(o.trailing);
  if (o.breakEvenAfterFirstTarget !== undefined && parseBreakEven(o.breakEvenAfterFirstTarget, exits))
    exits.breakEvenAfterFirstTarget = true;
  return exits;
}

function parseStopLoss(value: unknown): NonNullable<ExitsDefinition['stopLoss']> {
  const s = objectWith(value, ['triggerPercent', 'execution'], 'exits.stopLoss');
  return {
    triggerPercent: distance(s.triggerPercent, 'exits.stopLoss.triggerPercent', 'a stop-loss sits below the average fill'),
    ...executionOf(s.execution, 'exits.stopLoss.execution'),
  };
}

function parseTrailing(value: unknown): NonNullable<ExitsDefinition['trailing']> {
  const t = objectWith(value, ['trailPercent', 'activationPercent'], 'exits.trailing');
  const trailing: NonNullable<ExitsDefinition['trailing']> = {
    trailPercent: percentBelow100(t.trailPercent, 'exits.trailing.trailPercent').toFixed(),
  };
  if (t.activationPercent !== undefined)
    trailing.activationPercent = distance(
      t.activationPercent,
      'exits.trailing.activationPercent',
      'a trailing stop activates above the average fill',
      true,
    );
  return trailing;
}

/** Moving the stop to break-even after the first target needs both a stop and a target. */
function parseBreakEven(value: unknown, exits: ExitsDefinition): boolean {
  if (typeof value !== 'boolean') invalid('exits.breakEvenAfterFirstTarget', 'must be true or false');
  if (!value) return false;
  if (!exits.stopLoss) invalid('exits.breakEvenAfterFirstTarget', 'moves the stop-loss: give exits.stopLoss');
  if (!exits.takeProfit) invalid('exits.breakEvenAfterFirstTarget', 'happens after the first take-profit: give exits.takeProfit');
  return true;
}

function parseTakeProfit(value: unknown): TakeProfitDefinition {
  const o = objectWith(value, ['triggerPercent', 'ladder', 'execution'], 'exits.takeProfit');
  const kind = exactlyOne(o, ['triggerPercent', 'ladder'], 'exits.takeProfit');
  const execution = executionOf(o.execution, 'exits.takeProfit.execution');
  if (kind === 'triggerPercent')
    return {
      triggerPercent: distance(o.triggerPercent, 'exits.takeProfit.triggerPercent', 'a take-profit sits above the average fill'),
      ...execution,
    };
  return { ladder: parseLadder(o.ladder), ...execution };
}

/** Rungs going up, each a share of the filled amount; the shares make the whole of it. */
function parseLadder(value: unknown): LadderRung[] {
  const field = 'exits.takeProfit.ladder';
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LADDER_RUNGS)
    invalid(field, `must be a list of 1 to ${MAX_LADDER_RUNGS} rungs { offsetPercent, sizePercent }`);
  const rungs = value.map((rung, i) => {
    const at = `${field}[${i}]`;
    const r = objectWith(rung, ['offsetPercent', 'sizePercent'], at);
    const offsetPercent = distance(r.offsetPercent, `${at}.offsetPercent`, 'a take-profit rung sits above the average fill');
    const size = positive(r.sizePercent, `${at}.sizePercent`);
    if (size.gt(100)) invalid(`${at}.sizePercent`, 'must be at most 100 (percent of the filled amount)');
    return { offsetPercent, sizePercent: size.toFixed() };
  });
  rungs.forEach((rung, i) => {
    if (i > 0 && dec(rung.offsetPercent).lte(dec(rungs[i - 1].offsetPercent)))
      invalid(`${field}[${i}].offsetPercent`, `rungs go up: ${rung.offsetPercent} is not above rung ${i}'s ${rungs[i - 1].offsetPercent}`);
  });
  const total = rungs.reduce((sum, r) => sum.plus(r.sizePercent), dec(0));
  if (!total.eq(100)) invalid(field, `the rungs' sizePercent must sum to 100; they sum to ${total.toFixed()}`, 'TEMPLATE.LADDER_NOT_100');
  return rungs;
}

/**
 * A distance from the average fill, in percent, on the exit's own side: zero or less (or, for a
 * trailing activation, below zero) would put the exit on the wrong side of the fill.
 */
function distance(value: unknown, field: string, side: string, zeroAllowed = false): string {
  const p = signed(value, field);
  if (p.lt(0) || (p.isZero() && !zeroAllowed))
    invalid(field, `${side}: give its distance from the fill as a positive percentage`, 'TEMPLATE.EXIT_WRONG_SIDE');
  if (p.gte(100)) invalid(field, 'must be below 100 (percent)');
  return p.toFixed();
}

function executionOf(value: unknown, field: string): { execution?: ExitExecution } {
  if (value === undefined) return {};
  const o = objectWith(value, ['type', 'limitOffset'], field);
  if (o.type !== 'market' && o.type !== 'limit') invalid(`${field}.type`, 'must be market or limit');
  if (o.type === 'market') {
    if (o.limitOffset !== undefined) invalid(`${field}.limitOffset`, 'only a limit execution takes an offset');
    return { execution: { type: 'market' } };
  }
  return {
    execution: {
      type: 'limit',
      ...(o.limitOffset !== undefined ? { limitOffset: percentBelow100(o.limitOffset, `${field}.limitOffset`).toFixed() } : {}),
    },
  };
}
