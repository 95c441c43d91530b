import { type Decimal, dec } from '@tradedesk/shared';

/** How a protective condition sells once it fires (trading-semantics.md): its size and execution. */
export interface ExitTerms {
  /** `all`, `50%` or a base amount. */
  amount: string;
  executionType: 'market' | 'limit';
  /** Limit execution: the limit sits this many percent below the trigger. */
  limitOffset: Decimal | null;
}

/**
 * `all` at market is a liquidation (ClosePosition): it first cancels the market's open sells at
 * the exchange so they release the coins, then sells the whole free balance.
 */
export function liquidatesPosition(terms: Pick<ExitTerms, 'amount' | 'executionType'>): boolean {
  return terms.amount === 'all' && terms.executionType === 'market';
}

/** A percentage or `all` is sized from the position at firing time. */
export function sizedFromPosition(terms: Pick<ExitTerms, 'amount'>): boolean {
  return terms.amount === 'all' || terms.amount.endsWith('%');
}

/** The exit's base amount: fixed, or a share of the position's quantity. */
export function exitAmount(terms: Pick<ExitTerms, 'amount'>, positionQuantity: Decimal | undefined): Decimal {
  if (!sizedFromPosition(terms)) return dec(terms.amount);
  const quantity = positionQuantity ?? dec(0);
  return terms.amount === 'all' ? quantity : quantity.times(dec(terms.amount.slice(0, -1))).div(100);
}

/** A limit exit's price: `limitOffset` percent below the trigger (or the observed price when there is no trigger). */
export function exitLimitPrice(terms: Pick<ExitTerms, 'limitOffset'>, trigger: Decimal): Decimal {
  return trigger.times(dec(100).minus(terms.limitOffset ?? 0)).div(100);
}
