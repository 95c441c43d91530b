// npm run token:rotate — replaces the API token: prints a new one once, stores only its hash, and
// every running tradedesk on this database refuses the old one from the next request on (they
// read the hash per request). Same environment as the server (DATA_DIR, DATABASE_URL).
import { ApiTokenFromEnvironmentError, rotateApiToken } from '@tradedesk/shared';
import { CliError, openDatabase, runCli } from './cli-support.js';

await runCli('token:rotate', async (config) => {
  if (config.security.apiToken) throw new CliError(new ApiTokenFromEnvironmentError().message);
  const dataSource = await openDatabase(config);
  try {
    const { token, replaced } = await dataSource
      .transaction((manager) => rotateApiToken(manager))
      .catch((error: unknown) => {
        throw error instanceof ApiTokenFromEnvironmentError
          ? new CliError(`${error.message} (a running instance says so in the database)`)
          : error;
      });
    // Straight to the terminal: the only place the token ever appears.
    process.stdout.write(
      `\n  new tradedesk API token (shown once, stored only as a hash): ${token}\n` +
        `  ${replaced ? 'the old token is refused from now on, by running instances too' : 'no token was stored before'}; recorded in GET /api/audit\n\n`,
    );
  } finally {
    await dataSource.destroy();
  }
});
