import { Decimal } from './decimal.js';

/**
 * Figures are kept exact and rounded only where people read them (the API's answers), so that
 * every decimal tradedesk prints is one it accepts back as input (at most 18 fraction digits).
 */

/** Decimal places of an amount of a currency as the exchanges book it: KRW has none, the rest 8. */
export function currencyPlaces(currency: string): number {
  return currency === 'KRW' ? 0 : 8;
}

/** Money (PnL, cost, fees, totals) in a quote currency, rounded half-even to that currency's places. */
export function roundMoney(value: Decimal, currency: string): Decimal {
  return value.toDecimalPlaces(currencyPlaces(currency), Decimal.ROUND_HALF_EVEN);
}

/** A percentage for people: 4 decimal places. */
export function roundPercent(value: Decimal): Decimal {
  return value.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN);
}

/** The number of decimal places of a step such as 0.01 (2) or 1000 (0). */
export function placesOfStep(step: Decimal): number {
  return step.decimalPlaces();
}

/** Never more than the 18 places an input decimal may carry. */
export function inputPlaces(value: Decimal): Decimal {
  return value.toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);
}
