import { Decimal } from 'decimal.js';

/**
 * A private Decimal constructor: the emulator runs inside tradedesk's process, so it must not
 * change the global decimal.js configuration other code relies on. No exponent notation in a
 * range that covers any price or amount an exchange shows.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

export const ZERO: Dec = new Dec(0);

const DECIMAL_TEXT = /^\d+(\.\d+)?$|^\.\d+$|^\d+\.$/;

/** Parses an exchange parameter the way exchanges do: plain non-negative decimal text only. */
export function parseDecimal(text: string | undefined | null): Dec | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  if (!DECIMAL_TEXT.test(trimmed)) return undefined;
  return new Dec(trimmed);
}

export function floorToStep(value: Dec, step: Dec): Dec {
  if (step.isZero()) return value;
  return value.div(step).floor().mul(step);
}

export function ceilToStep(value: Dec, step: Dec): Dec {
  if (step.isZero()) return value;
  return value.div(step).ceil().mul(step);
}

export function isMultipleOf(value: Dec, step: Dec): boolean {
  if (step.isZero()) return true;
  return value.mod(step).isZero();
}

/** Binance shows every decimal with 8 places ("0.10000000"). */
export function fixed8(value: Dec): string {
  return value.toFixed(8);
}

/** Plain decimal text without exponent or trailing zeros (Upbit style, control API). */
export function plain(value: Dec): string {
  return value.toFixed();
}

export function roundTo8(value: Dec, rounding: Decimal.Rounding = Decimal.ROUND_HALF_UP): Dec {
  return value.toDecimalPlaces(8, rounding);
}

export function decMin(a: Dec, b: Dec): Dec {
  return a.lessThan(b) ? a : b;
}

export function decMax(a: Dec, b: Dec): Dec {
  return a.greaterThan(b) ? a : b;
}
