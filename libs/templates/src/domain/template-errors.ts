import { dec, type Decimal, ValidationError } from '@tradedesk/shared';

/** A request field that breaks a template rule: a 400 naming the field. */
export function invalid(field: string, message: string, code = 'TEMPLATE.INVALID'): never {
  throw new ValidationError(code, `${field}: ${message}`, { field });
}

/** The decimals the HTTP layer takes everywhere: what tradedesk prints is accepted back. */
export const DECIMAL = /^(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
/** The same with a sign, for offsets that may go either way. */
export const SIGNED_DECIMAL = /^-?(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
export const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function positive(value: unknown, field: string): Decimal {
  if (typeof value !== 'string' || !DECIMAL.test(value) || dec(value).lte(0)) invalid(field, 'must be a positive decimal string');
  return dec(value);
}

/** A signed decimal string (an offset); the caller bounds it. */
export function signed(value: unknown, field: string): Decimal {
  if (typeof value !== 'string' || !SIGNED_DECIMAL.test(value)) invalid(field, 'must be a decimal string such as "-0.2"');
  return dec(value);
}

/** A percentage strictly between 0 and 100. */
export function percentBelow100(value: unknown, field: string): Decimal {
  const p = positive(value, field);
  if (p.gte(100)) invalid(field, 'must be below 100 (percent)');
  return p;
}

/** An object of the request takes only the fields it names: an unknown one is refused, not dropped. */
export function objectWith(value: unknown, allowed: readonly string[], field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'must be an object');
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) invalid(field ? `${field}.${key}` : key, `is not a known field (one of ${allowed.join(', ')})`);
  return value as Record<string, unknown>;
}

/** Exactly one of `keys` is present in `o`: its name. */
export function exactlyOne<K extends string>(o: Record<string, unknown>, keys: readonly K[], field: string): K {
  const given = keys.filter((k) => o[k] !== undefined);
  if (given.length !== 1) invalid(field, `give exactly one of ${keys.join(', ')}`);
  return given[0];
}
