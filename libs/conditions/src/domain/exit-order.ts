import { type Decimal, dec, ZERO } from '@tradedesk/shared';

/** How a protective condition sells once it fires (docs/trading-semantics.md): its size and execution. */
export interface ExitTerms {
  /** `all` (the position), `balance` (the whole free balance), `50%` of the position, or a base amount. */
  amount: string;
  executionType: 'market' | 'limit';
  /** Limit execution: the limit sits this many percent below the trigger. */
  limitOffset: Decimal | null;
}

/**
 * `all` and `balance` are liquidations (ClosePosition): they first cancel the position's own
 * resting sells so these release the coins, then sell the position (`all`) or, the explicit
 * choice, the whole free balance (`balance`).
 */
export function liquidatesPosition(terms: Pick<ExitTerms, 'amount'>): boolean {
  return terms.amount === 'all' || terms.amount === 'balance';
}

/** A percentage is sized from the position when the exit fires. */
export function sizedFromPosition(terms: Pick<ExitTerms, 'amount'>): boolean {
  return terms.amount === 'all' || terms.amount.endsWith('%');
}

/** What the exit asks for: its fixed amount, or its share of the position's quantity (`all`: all of it). */
export function requestedAmount(terms: Pick<ExitTerms, 'amount'>, quantity: Decimal): Decimal {
  if (terms.amount === 'all') return quantity;
  if (terms.amount.endsWith('%')) return quantity.times(dec(terms.amount.slice(0, -1))).div(100);
  return dec(terms.amount);
}

/**
 * The exit's base amount: what it asks for, but never more than the position still holds
 * (`available`: its quantity less the unfilled rest of its live sells). Zero means nothing is
 * left: the position was sold by another exit.
 */
export function exitAmount(terms: Pick<ExitTerms, 'amount'>, position: { quantity: Decimal; available: Decimal }): Decimal {
  const wanted = requestedAmount(terms, position.quantity);
  const capped = wanted.gt(position.available) ? position.available : wanted;
  return capped.gt(0) ? capped : ZERO;
}

/** A limit exit's price: `limitOffset` percent below the trigger (or the observed price when there is no trigger). */
export function exitLimitPrice(terms: Pick<ExitTerms, 'limitOffset'>, trigger: Decimal): Decimal {
  return trigger.times(dec(100).minus(terms.limitOffset ?? 0)).div(100);
}
