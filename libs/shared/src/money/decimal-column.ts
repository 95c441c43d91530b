import { Column, type ColumnOptions, type ValueTransformer } from 'typeorm';
import { Decimal } from './decimal.js';

/** Maps database decimals (strings from pg and SQLite text) to Decimal and back, never via a float. */
export const decimalTransformer: ValueTransformer = {
  to(value: Decimal | string | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    return new Decimal(value).toFixed();
  },
  from(value: string | number | null | undefined): Decimal | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') throw new Error(`a money column came back as a float (${value}); check the column type`);
    return new Decimal(value);
  },
};

/**
 * A money column: numeric(36,18) on PostgreSQL, text on SQLite (whose NUMERIC affinity would
 * round through a double). TradedeskDataSource turns every `decimal` column into text on SQLite.
 */
export function DecimalColumn(options: Omit<ColumnOptions, 'type' | 'precision' | 'scale' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'decimal', precision: 36, scale: 18, transformer: decimalTransformer });
}
