import type { Decimal } from '@tradedesk/shared';

export type ConditionKind = 'stop_loss' | 'trailing_stop' | 'take_profit' | 'bracket' | 'conditional';
export const CONDITION_KINDS: readonly ConditionKind[] = ['stop_loss', 'trailing_stop', 'take_profit', 'bracket', 'conditional'];

/** The lifecycle of trading-semantics.md. */
export type ConditionStatus =
  'ARMED' | 'TRIGGERED' | 'FIRING' | 'FIRED' | 'DONE' | 'CANCELLED' | 'EXPIRED' | 'FAILED' | 'PAUSED' | 'MISSED';
export const CONDITION_STATUSES: readonly ConditionStatus[] = [
  'ARMED',
  'TRIGGERED',
  'FIRING',
  'FIRED',
  'DONE',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
  'PAUSED',
  'MISSED',
];
/** A condition in one of these states will never act again. */
export const FINAL_STATUSES: readonly ConditionStatus[] = ['DONE', 'CANCELLED', 'EXPIRED', 'FAILED', 'MISSED'];

export type PriceSource = 'last' | 'bid' | 'ask' | 'mark';
export const PRICE_SOURCES: readonly PriceSource[] = ['last', 'bid', 'ask', 'mark'];
export type DowntimePolicy = 'fire' | 'skip' | 'notify';

/** `fixed` base amount, `percent` of the position at firing time, or `all` (full liquidation). */
export type AmountSpec = { kind: 'fixed'; amount: Decimal } | { kind: 'percent'; percent: Decimal } | { kind: 'all' };

export interface ExecutionSpec {
  type: 'market' | 'limit';
  /** Percent below (sell) / above (buy) the trigger price for a limit exit. */
  limitOffset?: Decimal;
}

/** One observation of a market. */
export interface Quote {
  last: Decimal;
  bid?: Decimal;
  ask?: Decimal;
}

export function priceOf(quote: Quote, source: PriceSource): Decimal {
  switch (source) {
    case 'bid':
      return quote.bid ?? quote.last;
    case 'ask':
      return quote.ask ?? quote.last;
    case 'mark':
      return quote.bid && quote.ask ? quote.bid.plus(quote.ask).div(2) : quote.last;
    default:
      return quote.last;
  }
}

export function isProtective(kind: ConditionKind): boolean {
  return kind !== 'conditional';
}

/** Market key used by the books and the scheduler: which account's gateway, which symbol. */
export function marketKey(accountId: string, symbol: string): string {
  return `${accountId} ${symbol}`;
}
