import { Column, type ColumnOptions } from 'typeorm';

/**
 * An instant in UTC: timestamptz on PostgreSQL, datetime (UTC text) on SQLite.
 * TradedeskDataSource rewrites the type for SQLite.
 */
export function TimestampColumn(options: Omit<ColumnOptions, 'type'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'timestamptz' });
}
