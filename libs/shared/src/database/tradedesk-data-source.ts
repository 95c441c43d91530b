import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { StartupError } from '../config/startup-failure.js';

/**
 * A DataSource that stores money exactly on both drivers: entity columns declared `decimal`
 * (see DecimalColumn) become `numeric(36,18)` on PostgreSQL and `text` on SQLite, and
 * `timestamptz` columns (TimestampColumn) become SQLite's UTC `datetime`. The rewrite
 * happens per DataSource after metadata is built, so the TypeORM CLI, migration generation and
 * the app all see the same schema.
 */
export class TradedeskDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    /** Held while this DataSource is open (SQLite: one process per file). */
    private readonly instanceLock?: { release(): void },
  ) {
    super(options);
    // Let the metadata validator accept timestamptz on SQLite; buildMetadatas rewrites it below.
    if (options.type === 'better-sqlite3') this.driver.supportedDataTypes.push('timestamptz');
  }

  override async destroy(): Promise<void> {
    try {
      await super.destroy();
    } finally {
      this.instanceLock?.release();
    }
  }

  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    if (this.options.type !== 'better-sqlite3') return;
    for (const entity of this.entityMetadatas) {
      for (const column of entity.columns) {
        if (column.type === 'decimal') {
          column.type = 'text';
          column.precision = undefined;
          column.scale = undefined;
        } else if (column.type === 'timestamptz') {
          column.type = 'datetime';
        }
      }
    }
  }
}

export interface PersistenceSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: { postgres: MixedList<Function>; sqlite: MixedList<Function> };
}

export function dataSourceOptions(config: DatabaseConfig, schema: PersistenceSchema): DataSourceOptions {
  const common = { entities: schema.entities, synchronize: false, migrationsRun: false, logging: false } as const;
  if (config.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.url,
      migrations: schema.migrations.postgres,
      migrationsTransactionMode: 'all',
      applicationName: 'tradedesk',
      extra: { max: config.poolSize, connectionTimeoutMillis: 5000 },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqlitePath,
    migrations: schema.migrations.sqlite,
    migrationsTransactionMode: 'all',
    enableWAL: true,
    timeout: 5000,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // FULL: a committed order row survives an OS crash too, not only a process crash.
      db.pragma('synchronous = FULL');
    },
  };
}

/** Runs pending migrations; on PostgreSQL under an advisory lock so instances starting together take turns. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7212001)');
    return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7212001)').catch(() => undefined);
    await runner.release();
  }
}

/**
 * Refuses to start on a database that only takes reads. SQLite opens a write-protected file
 * read-only without a word, and the first write came seconds after listening (the outbox);
 * PostgreSQL standbys and `default_transaction_read_only` fail the same way later.
 */
export async function assertWritable(dataSource: DataSource, config: DatabaseConfig): Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    try {
      // Rewriting the header with its own value is a write that changes nothing.
      const [header] = await dataSource.query<Array<{ user_version?: number }>>('PRAGMA user_version');
      const version = Number(header?.user_version ?? 0);
      await dataSource.query(`PRAGMA user_version = ${version}`);
    } catch (error) {
      if (!String((error as { code?: string })?.code ?? (error as Error)?.message).includes('READONLY')) throw error;
      throw new StartupError(
        `DATABASE_URL: the SQLite database ${config.url} is read-only: make the file, its -wal/-shm files and its directory writable by the user running tradedesk${process.getuid ? ` (uid ${process.getuid()})` : ''}`,
      );
    }
    return;
  }
  const [row] = await dataSource.query<Array<{ transaction_read_only?: string }>>('SHOW transaction_read_only');
  if (row?.transaction_read_only === 'on') {
    const url = new URL(config.url);
    throw new StartupError(
      `DATABASE_URL: PostgreSQL at ${url.hostname}:${url.port || '5432'} only takes reads (a standby, or default_transaction_read_only): point DATABASE_URL at the primary`,
    );
  }
}
