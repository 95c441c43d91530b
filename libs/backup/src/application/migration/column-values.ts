import { createHash } from 'node:crypto';
import { Decimal } from '@tradedesk/shared';

/** A PostgreSQL column as information_schema describes it: what a SQLite value is converted to. */
export interface TargetColumn {
  name: string;
  /** information_schema.columns.data_type, e.g. `numeric`, `boolean`, `timestamp with time zone`. */
  type: string;
}

/** A SQLite value that does not fit its PostgreSQL column; the message names the table, row and column. */
export class ConversionError extends Error {}

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
const TIMESTAMP_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone']);

/** A scalar as text; anything else (an object where a scalar belongs) as JSON, so it shows in an error. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return JSON.stringify(value) ?? '';
}

function decimalOf(value: unknown): string {
  // Text keeps every digit; a REAL would already have lost some, so it is refused rather than guessed.
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new ConversionError('a floating-point number where a decimal is kept exactly');
  try {
    return new Decimal(textOf(value)).toFixed();
  } catch {
    throw new ConversionError('not a decimal number');
  }
}

function booleanOf(value: unknown): boolean {
  if (value === 1 || value === '1' || value === true || value === 't') return true;
  if (value === 0 || value === '0' || value === false || value === 'f') return false;
  throw new ConversionError('not a boolean (0 or 1)');
}

/**
 * Milliseconds since the epoch of an instant as either side reads it: SQLite's UTC text
 * (`2026-12-07 19:52:41.149`), or PostgreSQL's text (`2026-12-07 19:52:41.149+00`, read as text so
 * that no local time zone gets in between).
 */
export function epochMs(value: unknown): number {
  const iso = textOf(value)
    .replace(' ', 'T')
    .replace(/([+-]\d\d)$/, '$1:00');
  const ms = Date.parse(/(?:[zZ]|[+-]\d\d:\d\d)$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new ConversionError('not a timestamp');
  return ms;
}

function jsonOf(value: unknown): unknown {
  try {
    return typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    throw new ConversionError('not valid JSON');
  }
}

function integerOf(value: unknown): string {
  if (typeof value === 'bigint' || Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)))
    return textOf(value);
  throw new ConversionError('not an integer');
}

/**
 * One SQLite value as the PostgreSQL column takes it. SQLite keeps decimals as text, booleans as
 * 0/1, instants as UTC `YYYY-MM-DD HH:MM:SS.SSS` and JSON as text; each is converted explicitly,
 * and a value that does not fit is an error naming it, never a silent approximation.
 */
export function toPostgres(value: unknown, column: TargetColumn, where: () => string): unknown {
  if (value === null || value === undefined) return null;
  try {
    if (column.type === 'numeric') return decimalOf(value);
    if (column.type === 'boolean') return booleanOf(value);
    if (TIMESTAMP_TYPES.has(column.type)) {
      const instant = new Date(epochMs(value)).toISOString();
      return column.type === 'timestamp with time zone' ? instant : instant.replace('T', ' ').replace('Z', '');
    }
    if (column.type === 'json' || column.type === 'jsonb') return JSON.stringify(jsonOf(value));
    if (INTEGER_TYPES.has(column.type)) return integerOf(value);
    if (column.type === 'bytea' && !Buffer.isBuffer(value)) throw new ConversionError('not binary data');
    return Buffer.isBuffer(value) ? value : textOf(value);
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    throw new ConversionError(`${where()}.${column.name}: ${error.message} (${JSON.stringify(textOf(value).slice(0, 80))})`);
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort((a, b) => a.localeCompare(b))
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * A value in one canonical form, whichever database it was read from, for the checksums: the same
 * row in SQLite and in PostgreSQL gives the same text, or the copy changed it.
 */
export function canonical(value: unknown, column: TargetColumn): string {
  if (value === null || value === undefined) return '∅';
  if (column.type === 'numeric') return decimalOf(value);
  if (column.type === 'boolean') return String(booleanOf(value));
  if (TIMESTAMP_TYPES.has(column.type)) return String(epochMs(value));
  if (column.type === 'json' || column.type === 'jsonb') return stableJson(jsonOf(value));
  return textOf(value);
}

/**
 * An order-independent checksum of a table: the sum (mod 2^256) of every row's sha256. SQLite and
 * PostgreSQL sort text differently, so no row order is shared; a sum does not need one, and any
 * row changed, lost or duplicated changes it.
 */
export class TableChecksum {
  private static readonly MOD = 1n << 256n;
  private sum = 0n;
  rows = 0;

  constructor(readonly columns: TargetColumn[]) {}

  add(row: Record<string, unknown>): void {
    const text = this.columns.map((c) => `${c.name}=${canonical(row[c.name], c)}`).join('\u0001');
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(text).digest('hex')}`)) % TableChecksum.MOD;
    this.rows++;
  }

  get hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}
