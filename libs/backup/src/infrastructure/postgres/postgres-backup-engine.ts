import { execFileSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import pg from 'pg';
import type { BackupManifest } from '../../domain/backup-manifest.js';
import {
  compareWithManifest,
  quoteIdentifier,
  readSnapshotFacts,
  type RestoreChecks,
  type SnapshotFacts,
  type SnapshotQuery,
} from '../snapshot-facts.js';
import { settleAll } from '../settle-all.js';
import { finished } from 'node:stream/promises';
import { databaseUrlFor, findPgTool, libpqEnv, majorVersionOf, runPgTool } from './pg-tools.js';

function queryOf(client: pg.Client): SnapshotQuery {
  return async <T extends Record<string, unknown>>(sql: string) => (await client.query<T>(sql)).rows;
}

async function tablesOf(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((r) => r.name);
}

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tradedesk-backup', connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}

/**
 * PostgreSQL backups with `pg_dump -Fc`. The dump and the manifest's facts come from one snapshot:
 * a repeatable-read transaction exports it, counts the rows, and stays open while pg_dump reads
 * that same snapshot (`--snapshot`), so under load the counts match the dump exactly.
 */
export class PostgresBackupEngine {
  readonly driver = 'postgres' as const;

  constructor(
    private readonly databaseUrl: string,
    private readonly binDir: string | undefined,
  ) {}

  /** The database's size on disk: a dump is smaller (compressed), so this errs on the side of space. */
  async estimateBytes(): Promise<number> {
    const client = await connect(this.databaseUrl);
    try {
      const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
      return Number(rows[0].size);
    } finally {
      await client.end();
    }
  }

  /** Dumps a consistent snapshot, handing pg_dump's output to `write` (which stores it), and returns what it holds. */
  async snapshot(write: (dump: Readable) => Promise<void>, signal: AbortSignal): Promise<SnapshotFacts> {
    const pgDump = findPgTool('pg_dump', this.binDir);
    const client = await connect(this.databaseUrl);
    try {
      await this.assertClientFits(client, pgDump);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ snapshot: string; version: string }>(
        `SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS version`,
      );
      const facts = await readSnapshotFacts(queryOf(client), await tablesOf(client), `PostgreSQL ${rows[0].version}`);
      const dump = runPgTool(pgDump, ['--format=custom', `--snapshot=${rows[0].snapshot}`, '--no-password'], {
        env: libpqEnv(this.databaseUrl),
        signal,
      });
      await settleAll([write(dump.stdout), dump.done]);
      await client.query('COMMIT');
      return facts;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** pg_dump refuses a server newer than itself; say so before starting, with what to install. */
  private async assertClientFits(client: pg.Client, pgDump: string): Promise<void> {
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    const serverMajor = Math.floor(Number(rows[0].v) / 10000);
    const clientMajor = majorVersionOf(execFileSync(pgDump, ['--version']).toString().replace(/^\D+/, ''));
    if (clientMajor !== undefined && clientMajor < serverMajor)
      throw new Error(
        `${pgDump} is version ${clientMajor} and cannot dump PostgreSQL ${serverMajor}: install postgresql-client-${serverMajor} or set BACKUP_PG_BIN_DIR to its bin directory`,
      );
  }

  /**
   * Proves a dump by restoring it (`pg_restore` from `input`) into a temporary database, which is
   * dropped afterwards whatever happens: every constraint restored and validated, the tables,
   * their row counts and the last migration equal to the manifest's.
   */
  async verify(
    input: Readable,
    manifest: Pick<BackupManifest, 'id' | 'rowCounts' | 'latestMigration'>,
    signal: AbortSignal,
  ): Promise<RestoreChecks> {
    const scratch = `tradedesk_verify_${manifest.id.replace(/[^0-9a-z]/gi, '').toLowerCase()}`;
    const admin = await connect(this.databaseUrl);
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)} WITH (FORCE)`);
      try {
        await admin.query(`CREATE DATABASE ${quoteIdentifier(scratch)}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          restore: `cannot create a scratch database to restore into (${reason}): the database role needs CREATEDB`,
          integrity: 'not checked',
          foreignKeys: 'not checked',
          rowCounts: 'not checked',
        };
      }
      try {
        return await this.restoreAndCheck(input, scratch, manifest, signal);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)} WITH (FORCE)`);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  private async restoreAndCheck(
    input: Readable,
    scratch: string,
    manifest: Pick<BackupManifest, 'rowCounts' | 'latestMigration'>,
    signal: AbortSignal,
  ): Promise<RestoreChecks> {
    const pgRestore = findPgTool('pg_restore', this.binDir);
    const restore = runPgTool(
      pgRestore,
      ['--exit-on-error', '--single-transaction', '--no-owner', '--no-acl', '--no-password', `--dbname=${scratch}`],
      {
        env: libpqEnv(this.databaseUrl, scratch),
        stdin: input,
        signal,
      },
    );
    const failure = await firstFailure(input, restore.done);
    if (failure)
      return { restore: `pg_restore failed: ${failure}`, integrity: 'not checked', foreignKeys: 'not checked', rowCounts: 'not checked' };
    const client = await connect(databaseUrlFor(this.databaseUrl, scratch));
    try {
      // Constraints are added after the data, which validates them; a NOT VALID one would prove nothing.
      const { rows } = await client.query<{ kind: string; n: string }>(
        `SELECT contype AS kind, count(*) AS n FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
          WHERE s.nspname = 'public' AND NOT c.convalidated GROUP BY contype`,
      );
      const unvalidated = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
      const restored = await readSnapshotFacts(queryOf(client), await tablesOf(client), 'PostgreSQL');
      return {
        restore: 'ok',
        integrity: unvalidated('c') + unvalidated('u') + unvalidated('p') === 0 ? 'ok' : 'constraints left unvalidated',
        foreignKeys: unvalidated('f') === 0 ? 'ok' : `${unvalidated('f')} foreign keys left unvalidated`,
        rowCounts: compareWithManifest(manifest, restored),
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * Why a restore fed from `input` failed, if it did: the input's own error first (a backup that does
 * not decrypt says so, rather than "pg_restore: unexpected end of file"), else the tool's.
 */
async function firstFailure(input: Readable, toolDone: Promise<void>): Promise<string | undefined> {
  // A tool that gave up stops reading: the input must not wait for it forever.
  const tool = toolDone.then(
    () => undefined,
    (error: unknown) => {
      input.destroy();
      return error;
    },
  );
  const [inputError, toolError] = await Promise.all([
    finished(input).then(
      () => undefined,
      (error: unknown) => error,
    ),
    tool,
  ]);
  const premature = (inputError as { code?: string } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
  const error = inputError && !premature ? inputError : (toolError ?? inputError);
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : (JSON.stringify(error) ?? 'unknown error');
}
