import type { BackupManifest, VerificationReport } from '../domain/backup-manifest.js';

/** What a manifest records about the database it saved, read in the same snapshot as the backup itself. */
export interface SnapshotFacts {
  latestMigration: string | null;
  rowCounts: Record<string, number>;
  newestOrderAt: string | null;
  engineVersion: string;
}

/** Runs one read in the snapshot being saved (or in the restored copy being checked). */
export type SnapshotQuery = <T extends Record<string, unknown>>(sql: string) => Promise<T[]>;

/**
 * Row counts of every table, the last migration and the newest order. The `orders` table is read
 * here directly, not through the orders context's queries: it must be the same snapshot as the
 * backup, which no query across the bus can promise.
 */
export async function readSnapshotFacts(query: SnapshotQuery, tables: string[], engineVersion: string): Promise<SnapshotFacts> {
  const rowCounts: Record<string, number> = {};
  for (const table of [...tables].sort((a, b) => a.localeCompare(b))) {
    const [row] = await query<{ n: number | string }>(`SELECT count(*) AS n FROM ${quoteIdentifier(table)}`);
    rowCounts[table] = Number(row?.n ?? 0);
  }
  const latestMigration = tables.includes('migrations')
    ? ((await query<{ name: string }>('SELECT name FROM migrations ORDER BY id DESC LIMIT 1'))[0]?.name ?? null)
    : null;
  const newest = tables.includes('orders') ? (await query<{ at: unknown }>('SELECT max("createdAt") AS at FROM orders'))[0]?.at : null;
  return { latestMigration, rowCounts, newestOrderAt: instantOf(newest), engineVersion };
}

/** A timestamp as either driver returns it (a Date, or SQLite's UTC `YYYY-MM-DD HH:MM:SS.SSS`) as ISO-8601. */
export function instantOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const date = new Date(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `ok`, or what differs between the restored copy and the manifest (tables missing, extra, or with other counts). */
export function compareWithManifest(manifest: Pick<BackupManifest, 'rowCounts' | 'latestMigration'>, restored: SnapshotFacts): string {
  const problems: string[] = [];
  const names = new Set([...Object.keys(manifest.rowCounts), ...Object.keys(restored.rowCounts)]);
  for (const table of [...names].sort((a, b) => a.localeCompare(b))) {
    const expected = manifest.rowCounts[table];
    const found = restored.rowCounts[table];
    if (!Object.hasOwn(manifest.rowCounts, table)) problems.push(`${table} is not in the manifest`);
    else if (!Object.hasOwn(restored.rowCounts, table)) problems.push(`${table} is missing`);
    else if (expected !== found) problems.push(`${table} has ${found} rows, the manifest says ${expected}`);
  }
  if (manifest.latestMigration !== restored.latestMigration)
    problems.push(`latest migration ${restored.latestMigration ?? 'none'}, the manifest says ${manifest.latestMigration ?? 'none'}`);
  return problems.length === 0 ? 'ok' : problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '');
}

/** The restore-side checks of a verification (the checksum is checked before any of them). */
export type RestoreChecks = Pick<VerificationReport, 'restore' | 'integrity' | 'foreignKeys' | 'rowCounts'>;
