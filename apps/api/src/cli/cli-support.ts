import 'reflect-metadata';
import {
  type AppConfig,
  ConfigError,
  dataSourceOptions,
  describeStartupFailure,
  runMigrations,
  TradedeskDataSource,
} from '@tradedesk/shared';
import { loadConfig } from '../config/load-config.js';
import { persistenceSchema } from '../persistence/schema.js';

/** A command-line tool failed in a way its message already explains: printed as one line, exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Runs an operator command (`npm run token:rotate`, `npm run master-key:rotate`) with the
 * configuration the server would have (DATA_DIR, DATABASE_URL, MASTER_KEY…): bad configuration
 * exits 2 and any failure exits 1, each with one line on stderr naming the cause and never a secret.
 */
export async function runCli(name: string, main: (config: AppConfig) => Promise<void>): Promise<void> {
  let config: AppConfig | undefined;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
  // What tradedesk writes is its user's alone (a SQLite file created here too).
  process.umask(0o077);
  try {
    await main(config);
  } catch (error) {
    const line = error instanceof CliError ? error.message : describeStartupFailure(error, config).replace(/^failed to start: /, '');
    process.stderr.write(`${name}: ${line}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
}

/**
 * The database of DATABASE_URL, migrated as a starting server would. No SQLite instance lock:
 * these commands run beside a server on purpose (token:rotate) or check for one themselves.
 */
export async function openDatabase(config: AppConfig): Promise<TradedeskDataSource> {
  const options = dataSourceOptions(config.database, persistenceSchema);
  const dataSource = new TradedeskDataSource(options.type === 'postgres' ? { ...options, applicationName: 'tradedesk-cli' } : options);
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
