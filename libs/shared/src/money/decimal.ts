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

export const ZERO = new Decimal(0);
