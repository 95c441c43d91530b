import type { Decimal } from '@tradedesk/shared';
import type { ExchangeCapabilities, Market } from './exchange-gateway.js';
import { krwPriceStep, type PriceRounding } from './krw-price-steps.js';

type PriceRule = Pick<ExchangeCapabilities, 'priceStepRule'>;

/** The price step that applies to a price of a market: its tick size, or Upbit's KRW table. */
export function priceStepAt(market: Pick<Market, 'quote' | 'priceStep'>, rule: PriceRule, price: Decimal): Decimal | undefined {
  if (rule.priceStepRule === 'krw-price-table' && market.quote === 'KRW') return krwPriceStep(price);
  return market.priceStep;
}

/**
 * A price moved onto the market's grid. Trigger prices computed from a percentage snap down for
 * stops and up for take-profits: a stop never sits above, a target never below, what was asked.
 */
export function snapToPriceGrid(
  market: Pick<Market, 'quote' | 'priceStep'>,
  rule: PriceRule,
  price: Decimal,
  rounding: PriceRounding,
): Decimal {
  const step = priceStepAt(market, rule, price);
  if (!step) return price;
  const units = price.div(step);
  const snapped = (rounding === 'down' ? units.floor() : units.ceil()).mul(step);
  // Below one step, rounding down would make a zero price: keep it as asked (the order rules refuse it).
  return snapped.isZero() ? price : snapped;
}
