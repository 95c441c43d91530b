import { Decimal } from '@tradedesk/shared';
import type { Market } from './exchange-gateway.js';
import { krwPriceStep } from './krw-price-steps.js';

/**
 * Rounding of figures shown to people (issue 11): prices to the market's price precision, averages
 * up to 4 digits more, money to its currency's precision, percentages to 4 decimals. Every result
 * has at most 18 fraction digits, so it is accepted back where the same field is an input.
 * Computations keep full precision; only what is printed is rounded (half up, as people round).
 */

/** Decimals of an amount of money in a currency; 8 for any coin quote not listed. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = { KRW: 0, USDT: 8 };
const COIN_DECIMALS = 8;
/** The input decimals' limit (numeric(36,18)): nothing printed carries more. */
const MAX_DECIMALS = 18;
/** Digits an average price may carry beyond the market's tick. */
export const AVERAGE_EXTRA_DECIMALS = 4;
export const PERCENT_DECIMALS = 4;

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency.toUpperCase()] ?? COIN_DECIMALS;
}

/** Decimals of a price in this market: its tick's, or for Upbit KRW markets the price table's at this price. */
export function priceDecimals(market: Pick<Market, 'quote' | 'priceStep'>, price: Decimal): number {
  if (market.priceStep) return market.priceStep.decimalPlaces();
  if (market.quote.toUpperCase() === 'KRW') return krwPriceStep(price.abs()).decimalPlaces();
  return COIN_DECIMALS;
}

export function roundMoney(value: Decimal, currency: string): Decimal {
  return value.toDecimalPlaces(currencyDecimals(currency), Decimal.ROUND_HALF_UP);
}

export function roundPrice(price: Decimal, market: Pick<Market, 'quote' | 'priceStep'>): Decimal {
  return price.toDecimalPlaces(Math.min(priceDecimals(market, price), MAX_DECIMALS), Decimal.ROUND_HALF_UP);
}

/** An average over several prices (a book walk, fills): the market's precision plus up to 4 digits. */
export function roundAveragePrice(price: Decimal, market: Pick<Market, 'quote' | 'priceStep'>): Decimal {
  return price.toDecimalPlaces(Math.min(priceDecimals(market, price) + AVERAGE_EXTRA_DECIMALS, MAX_DECIMALS), Decimal.ROUND_HALF_UP);
}

export function roundPercent(percent: Decimal): Decimal {
  return percent.toDecimalPlaces(PERCENT_DECIMALS, Decimal.ROUND_HALF_UP);
}
