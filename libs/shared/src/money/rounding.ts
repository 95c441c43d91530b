import { Decimal } from './decimal.js';

/**
 * Figures are kept exact and rounded only where people read them (the API's answers), half up as
 * people round, so that every decimal tradedesk prints is one it accepts back as input (at most
 * 18 fraction digits). Prices, whose places depend on the market, are rounded in the exchanges
 * context (`roundPrice`, `roundAveragePrice`).
 */

/** Decimals of an amount of money in a currency: KRW has none; USDT and any coin 8. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = { KRW: 0, USDT: 8 };
const COIN_DECIMALS = 8;
/** The input decimals' limit (numeric(36,18)): nothing printed carries more. */
export const MAX_DECIMALS = 18;
export const PERCENT_DECIMALS = 4;

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency.toUpperCase()] ?? COIN_DECIMALS;
}

/** Money (PnL, cost, fees, totals) in a quote currency, rounded to that currency's decimals. */
export function roundMoney(value: Decimal, currency: string): Decimal {
  return value.toDecimalPlaces(currencyDecimals(currency), Decimal.ROUND_HALF_UP);
}

/** A percentage for people: 4 decimal places. */
export function roundPercent(value: Decimal): Decimal {
  return value.toDecimalPlaces(PERCENT_DECIMALS, Decimal.ROUND_HALF_UP);
}

/** Never more than the 18 places an input decimal may carry (a computed value shown as it is). */
export function inputPlaces(value: Decimal): Decimal {
  return value.toDecimalPlaces(MAX_DECIMALS, Decimal.ROUND_HALF_UP);
}
