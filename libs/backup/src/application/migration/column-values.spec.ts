import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, ConversionError, epochMs, TableChecksum, toPostgres } from './column-values.js';
import { foreignKeyOrder } from './sqlite-to-postgres.js';

const at = () => 'orders row 1';
const numeric = { name: 'amount', type: 'numeric' };
const flag = { name: 'reduceOnly', type: 'boolean' };
const instant = { name: 'createdAt', type: 'timestamp with time zone' };
const json = { name: 'data', type: 'jsonb' };

describe('SQLite values converted for PostgreSQL', () => {
  it('keeps every digit of a decimal, and refuses a float or a non-number', () => {
    expect(toPostgres('0.000000000000000001', numeric, at)).toBe('0.000000000000000001');
    expect(toPostgres('123456789012345678.123456789012345678', numeric, at)).toBe('123456789012345678.123456789012345678');
    expect(() => toPostgres(0.1, numeric, at)).toThrow(/orders row 1\.amount: a floating-point number/);
    expect(() => toPostgres('abc', numeric, at)).toThrow(ConversionError);
  });

  it('turns 0/1 into booleans, SQLite UTC text into instants, and keeps JSON as JSON', () => {
    expect([toPostgres(1, flag, at), toPostgres(0, flag, at), toPostgres(null, flag, at)]).toEqual([true, false, null]);
    expect(() => toPostgres(2, flag, at)).toThrow(/not a boolean/);
    expect(toPostgres('2026-12-07 19:52:41.149', instant, at)).toBe('2026-12-07T19:52:41.149Z');
    expect(() => toPostgres('yesterday', instant, at)).toThrow(/not a timestamp/);
    expect(toPostgres('{"b":1,"a":[true]}', json, at)).toBe('{"b":1,"a":[true]}');
    expect(() => toPostgres('{oops', json, at)).toThrow(/not valid JSON/);
  });

  it('reads an instant the same from either side, whatever zone PostgreSQL answers in', () => {
    const ms = Date.UTC(2026, 11, 7, 19, 52, 41, 149);
    expect(epochMs('2026-12-07 19:52:41.149')).toBe(ms);
    expect(epochMs('2026-12-07 19:52:41.149+00')).toBe(ms);
    expect(epochMs('2026-12-08 04:52:41.149+09')).toBe(ms);
    expect(epochMs('2026-12-07 14:22:41.149-05:30')).toBe(ms);
  });

  it('any decimal string canonicalises the same before and after conversion (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 36n), max: 10n ** 36n }), fc.integer({ min: 0, max: 18 }), (units, scale) => {
        const text =
          scale === 0
            ? units.toString()
            : `${units < 0n ? '-' : ''}${(units < 0n ? -units : units)
                .toString()
                .padStart(scale + 1, '0')
                .replace(new RegExp(`(\\d{${scale}})$`), '.$1')}`;
        expect(canonical(toPostgres(text, numeric, at), numeric)).toBe(canonical(text, numeric));
      }),
    );
  });
});

describe('table checksums', () => {
  const columns = [numeric, flag, instant, json];
  const sqliteRows = [
    { amount: '0.50', reduceOnly: 1, createdAt: '2026-12-07 19:52:41.149', data: '{"b":1,"a":2}' },
    { amount: '2', reduceOnly: 0, createdAt: '2026-12-07 19:52:42.000', data: null },
  ];
  // The same rows as PostgreSQL reads them back: another order, numeric scale, jsonb's key order, timestamps with a zone.
  const postgresRows = [
    { amount: '2.000000000000000000', reduceOnly: false, createdAt: '2026-12-07 19:52:42+00', data: null },
    { amount: '0.500000000000000000', reduceOnly: true, createdAt: '2026-12-07 19:52:41.149+00', data: { a: 2, b: 1 } },
  ];
  const checksumOf = (rows: Array<Record<string, unknown>>) => {
    const sum = new TableChecksum(columns);
    for (const row of rows) sum.add(row);
    return sum.hex;
  };

  it('is equal for the same rows read from either database, in any order', () => {
    expect(checksumOf(postgresRows)).toBe(checksumOf(sqliteRows));
  });

  it('changes when one value changes, a row is lost, or a row is duplicated', () => {
    const base = checksumOf(sqliteRows);
    expect(checksumOf([{ ...sqliteRows[0], amount: '0.51' }, sqliteRows[1]])).not.toBe(base);
    expect(checksumOf([sqliteRows[0]])).not.toBe(base);
    expect(checksumOf([...sqliteRows, sqliteRows[1]])).not.toBe(base);
  });
});

describe('foreign-key order', () => {
  it('puts parents before children, ignores self-references and names a cycle', () => {
    const tables = ['trades', 'orders', 'accounts', 'tree'].map((name) => ({ name }));
    const edges = [
      { child: 'trades', parent: 'orders' },
      { child: 'orders', parent: 'accounts' },
      { child: 'tree', parent: 'tree' },
    ];
    expect(foreignKeyOrder(tables, edges).map((t) => t.name)).toEqual(['accounts', 'tree', 'orders', 'trades']);
    expect(() =>
      foreignKeyOrder(
        [{ name: 'a' }, { name: 'b' }],
        [
          { child: 'a', parent: 'b' },
          { child: 'b', parent: 'a' },
        ],
      ),
    ).toThrow(/cycle between a, b/);
  });
});
