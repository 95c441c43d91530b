import DecimalModule, { type Decimal as DecimalClass } from 'decimal.js';

// decimal.js ships CommonJS typings for an ESM build: TypeScript sees the module object where
// Node's ESM loader hands us the class itself. Accept either shape.
const DecimalJs: typeof DecimalClass =
  (DecimalModule as unknown as { default?: typeof DecimalClass }).default ?? (DecimalModule as unknown as typeof DecimalClass);

/**
 * The Decimal used for every price, amount, fee and balance. A separate clone so that no other
 * library's global Decimal settings change ours: 40 significant digits covers numeric(36,18).
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = DecimalClass;
export type DecimalInput = DecimalClass.Value;

export function dec(value: DecimalInput): Decimal {
  return new Decimal(value);
}

/** Plain decimal string without exponent or trailing zeros, as the API and the database carry it. */
export function decimalString(value: DecimalInput): string {
  return new Decimal(value).toFixed();
}

const DECIMAL_PATTERN = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** True for a decimal string such as "0.015" (no exponent, no thousands separators, not NaN). */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && DECIMAL_PATTERN.test(value);
}

export const ZERO = new Decimal(0);
