import { createHash } from 'node:crypto';
import { Decimal } from '@tradedesk/shared';

/** A PostgreSQL column as information_schema describes it: what a SQLite value is converted to. */
export interface TargetColumn {
  name: string;
  /** information_schema.columns.data_type, e.g. `numeric`, `boolean`, `timestamp with time zone`. */
  type: string;
}

export class ConversionError extends Error {}

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

/**
 * One SQLite value as the PostgreSQL column takes it. SQLite keeps decimals as text, booleans as
 * 0/1, instants as UTC `YYYY-MM-DD HH:MM:SS.SSS` and JSON as text; each is converted explicitly and
 * a value that does not fit is an error naming it, never a silent approximation.
 */
export function toPostgres(value: unknown, column: TargetColumn, where: () => string): unknown {
  if (value === null || value === undefined) return null;
  const fail = (why: string) => new ConversionError(`${where()}.${column.name}: ${why} (${JSON.stringify(String(value)).slice(0, 80)})`);
  switch (column.type) {
    case 'numeric': {
      try {
        // Text keeps every digit; a REAL would already have lost some, so it is refused rather than guessed.
        if (typeof value === 'number' && !Number.isSafeInteger(value))
          throw fail('a floating-point number where a decimal is kept exactly');
        return new Decimal(String(value)).toFixed();
      } catch (error) {
        if (error instanceof ConversionError) throw error;
        throw fail('not a decimal number');
      }
    }
    case 'boolean':
      if (value === 1 || value === '1' || value === true) return true;
      if (value === 0 || value === '0' || value === false) return false;
      throw fail('not a boolean (0 or 1)');
    case 'timestamp with time zone':
    case 'timestamp without time zone': {
      let instant: string;
      try {
        instant = new Date(epochMs(value)).toISOString();
      } catch {
        throw fail('not a timestamp');
      }
      return column.type === 'timestamp with time zone' ? instant : instant.replace('T', ' ').replace('Z', '');
    }
    case 'json':
    case 'jsonb':
      try {
        return JSON.stringify(typeof value === 'string' ? JSON.parse(value) : value);
      } catch {
        throw fail('not valid JSON');
      }
    case 'bytea':
      if (Buffer.isBuffer(value)) return value;
      throw fail('not binary data');
    default:
      if (INTEGER_TYPES.has(column.type)) {
        if (typeof value === 'bigint' || Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)))
          return String(value);
        throw fail('not an integer');
      }
      return Buffer.isBuffer(value) ? value : typeof value === 'string' ? value : String(value);
  }
}

/**
 * A value in one canonical form, whichever database it was read from, for the checksums: the same
 * row in SQLite and in PostgreSQL gives the same text, or the copy changed it.
 */
export function canonical(value: unknown, column: TargetColumn): string {
  if (value === null || value === undefined) return '∅';
  switch (column.type) {
    case 'numeric':
      return new Decimal(String(value)).toFixed();
    case 'boolean':
      return value === true || value === 1 || value === '1' || value === 't' ? 'true' : 'false';
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return String(epochMs(value));
    case 'json':
    case 'jsonb':
      return stableJson(typeof value === 'string' ? JSON.parse(value) : value);
    default:
      return Buffer.isBuffer(value) ? value.toString('hex') : String(value);
  }
}

/**
 * Milliseconds since the epoch of an instant as either side reads it: SQLite's UTC text, or
 * PostgreSQL's text (`2026-12-07 19:52:41.149+00`, read as text so that no local zone applies).
 */
export function epochMs(value: unknown): number {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new ConversionError(`not a timestamp: ${JSON.stringify(text).slice(0, 60)}`);
  return ms;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * An order-independent checksum of a table: the sum (mod 2^256) of every row's sha256. SQLite and
 * PostgreSQL sort text differently, so no row order is shared; a sum does not need one, and any
 * row changed, lost or duplicated changes it.
 */
export class TableChecksum {
  private sum = 0n;
  rows = 0;
  private static readonly MOD = 1n << 256n;

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
