import 'reflect-metadata';
import {
  type AppConfig,
  closeLogger,
  ConfigError,
  createWinstonLogger,
  describeStartupFailure,
  preparePrivateDir,
} from '@tradedesk/shared';
import { WinstonModule } from 'nest-winston';
import type winston from 'winston';
import { startApp } from './bootstrap.js';
import { loadConfig } from './config/load-config.js';

/**
 * `npm start`: validated config → private data directories → logger → app. Any failure before
 * the API listens exits non-zero with one line on stderr naming the cause and what to do
 * (describeStartupFailure); the log keeps the details.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tradedesk: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Everything tradedesk writes (database, WAL, logs, backups, keys) is its user's alone: 0600 files, 0700 directories.
  process.umask(0o077);
  let log: winston.Logger | undefined;
  try {
    const dataDir = preparePrivateDir(config.server.dataDir, 'DATA_DIR');
    preparePrivateDir(config.logging.dir, 'LOG_DIR');
    log = createWinstonLogger(config.logging);
    if (dataDir.openToOthers) {
      log.warn(
        `DATA_DIR ${config.server.dataDir} is readable by other users (mode ${dataDir.mode.toString(8)}): it holds the database and the master key; chmod 700 it`,
        { context: 'Startup' },
      );
    }
    const { app, url, generatedToken } = await startApp(config, WinstonModule.createLogger({ instance: log }));
    stopOnSignal(app, log);
    if (generatedToken) {
      // Straight to the terminal, never through the logger: log files must not hold the token.
      process.stdout.write(
        `\n  tradedesk API token (shown once, stored only as a hash): ${generatedToken}\n  try: curl -H "Authorization: Bearer ${generatedToken}" ${url}/api/health\n\n`,
      );
    }
  } catch (error) {
    log?.error(`start-up failed: ${error instanceof Error ? error.message : String(error)}`, {
      context: 'Startup',
      stack: error instanceof Error ? error.stack : undefined,
    });
    process.stderr.write(`tradedesk: ${describeStartupFailure(error, config)}\n`);
    process.exit(1);
  }
}

/**
 * SIGTERM / SIGINT: close the app (its shutdown hooks finish the work in flight and log the stop),
 * then let the log files take the last lines before the process exits — a line written just
 * before exit would otherwise be lost.
 */
function stopOnSignal(app: { close(signal?: string): Promise<void> }, log: winston.Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    void app
      .close(signal)
      .then(
        () => log.info(`tradedesk stopped (${signal}) after ${Date.now() - startedAt} ms`, { context: 'Shutdown' }),
        (error: unknown) =>
          log.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, { context: 'Shutdown' }),
      )
      .finally(() => void closeLogger(log).finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
