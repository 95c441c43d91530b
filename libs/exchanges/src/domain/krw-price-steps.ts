import { dec, type Decimal } from '@tradedesk/shared';

/**
 * Upbit's KRW-market price units (ccxt does not model them: it reports a flat 1e-8). A price at
 * or above `floor` must be a multiple of `step`. Source: exchange-apis.md; per-market truth is
 * Upbit's `GET /v1/orderbook/instruments` → `tick_size`.
 */
export const UPBIT_KRW_PRICE_STEPS: ReadonlyArray<{ floor: Decimal; step: Decimal }> = [
  ['1000000', '1000'],
  ['500000', '500'],
  ['100000', '100'],
  ['50000', '50'],
  ['10000', '10'],
  ['5000', '5'],
  ['100', '1'],
  ['10', '0.1'],
  ['1', '0.01'],
  ['0.1', '0.001'],
  ['0.01', '0.0001'],
  ['0.001', '0.00001'],
  ['0.0001', '0.000001'],
].map(([floor, step]) => ({ floor: dec(floor), step: dec(step) }));

/** Below the table's last row Upbit lists no unit; the emulator and tradedesk use 1e-7. */
export const UPBIT_KRW_SMALLEST_STEP = dec('0.0000001');

export type PriceRounding = 'down' | 'up';

/** The KRW price unit that applies to a price. */
export function krwPriceStep(price: Decimal): Decimal {
  for (const row of UPBIT_KRW_PRICE_STEPS) if (price.greaterThanOrEqualTo(row.floor)) return row.step;
  return UPBIT_KRW_SMALLEST_STEP;
}

export function isOnKrwPriceStep(price: Decimal): boolean {
  return price.isPositive() && price.mod(krwPriceStep(price)).isZero();
}

/**
 * Rounds a price onto the KRW grid. Every band's lower bound is a multiple of its own step and
 * of the step below it, so rounding stays inside the band (down) or lands exactly on the next
 * band's lower bound (up), which is valid there too.
 */
export function roundToKrwPriceStep(price: Decimal, rounding: PriceRounding): Decimal {
  const step = krwPriceStep(price);
  const units = price.div(step);
  return (rounding === 'down' ? units.floor() : units.ceil()).mul(step);
}
