import { Decimal, MAX_DECIMALS } from '@tradedesk/shared';
import type { Market } from './exchange-gateway.js';
import { krwPriceStep } from './krw-price-steps.js';

/**
 * Rounding of prices shown to people: to the market's price precision, averages up to 4 digits
 * more (money and percentages: `roundMoney` and `roundPercent` of @tradedesk/shared). Every result
 * has at most 18 fraction digits, so it is accepted back where the same field is an input.
 * Computations keep full precision; only what is printed is rounded (half up, as people round).
 */

/** Digits an average price may carry beyond the market's tick. */
export const AVERAGE_EXTRA_DECIMALS = 4;
const COIN_DECIMALS = 8;

/** Decimals of a price in this market: its tick's, or for Upbit KRW markets the price table's at this price. */
export function priceDecimals(market: Pick<Market, 'quote' | 'priceStep'>, price: Decimal): number {
  if (market.priceStep) return market.priceStep.decimalPlaces();
  if (market.quote.toUpperCase() === 'KRW') return krwPriceStep(price.abs()).decimalPlaces();
  return COIN_DECIMALS;
}

export function roundPrice(price: Decimal, market: Pick<Market, 'quote' | 'priceStep'>): Decimal {
  return price.toDecimalPlaces(Math.min(priceDecimals(market, price), MAX_DECIMALS), Decimal.ROUND_HALF_UP);
}

/** An average over several prices (a book walk, fills): the market's precision plus up to 4 digits. */
export function roundAveragePrice(price: Decimal, market: Pick<Market, 'quote' | 'priceStep'>): Decimal {
  return price.toDecimalPlaces(Math.min(priceDecimals(market, price) + AVERAGE_EXTRA_DECIMALS, MAX_DECIMALS), Decimal.ROUND_HALF_UP);
}
