import 'reflect-metadata';
import { AppConfig, ConfigError, createWinstonLogger, SqliteLockedError } from '@tradedesk/shared';
import { WinstonModule } from 'nest-winston';
import { startApp } from './bootstrap.js';

/** `npm start`: validated config → logger → app. Bad configuration exits non-zero with one line. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tradedesk: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = WinstonModule.createLogger({ instance: createWinstonLogger(config.logging) });
  try {
    const { url, generatedToken } = await startApp(config, logger);
    if (generatedToken) {
      // Straight to the terminal, never through the logger: log files must not hold the token.
      process.stdout.write(
        `\n  tradedesk API token (shown once, stored only as a hash): ${generatedToken}\n  try: curl -H "Authorization: Bearer ${generatedToken}" ${url}/api/health\n\n`,
      );
    }
  } catch (error) {
    const line =
      error instanceof SqliteLockedError || error instanceof ConfigError
        ? error.message
        : `failed to start: ${error instanceof Error ? error.stack : String(error)}`;
    process.stderr.write(`tradedesk: ${line}\n`);
    process.exit(1);
  }
}

await main();
