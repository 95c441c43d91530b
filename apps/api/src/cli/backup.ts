// npm run backup — takes a backup now, with the configuration the server has (DATA_DIR,
// DATABASE_URL, BACKUP_DIR, BACKUP_ENCRYPT…), and proves it by a restore into a scratch database,
// exactly as the scheduled backup does. It runs beside a running server on purpose: the copy is
// one consistent snapshot while orders flow. Exit 0 once verified, 1 when it failed (the manifest
// in BACKUP_DIR records why). Steps and the recovery point: docs/backup.md.
import { BackupConfig, BackupJobs } from '@tradedesk/backup';
import { MasterKey } from '@tradedesk/shared';
import { CliError, runCli } from './cli-support.js';

await runCli('backup', async (config) => {
  const unknown = process.argv.slice(2);
  if (unknown.length > 0)
    throw new CliError(`unknown argument "${unknown[0]}": npm run backup takes none (BACKUP_* settings come from the environment)`, 2);
  const backupConfig = config.get(BackupConfig);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const jobs = new BackupJobs({
    config: backupConfig,
    database: config.database,
    masterKey: () => MasterKey.resolve(config.security, config.server).key,
    // A CLI run has no event bus; its outcome is this command's exit code and the manifest.
    publish: () => undefined,
    log: { log: out, warn: (line) => process.stderr.write(`warning: ${line}\n`), error: () => undefined },
  });
  let started;
  try {
    started = jobs.start('cli');
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  out(`backup ${started.manifest.id} started into ${backupConfig.dir}`);
  const manifest = await started.done;
  if (manifest.status !== 'verified')
    throw new CliError(
      `backup ${manifest.id} failed at its ${manifest.failure?.stage ?? 'backup'}: ${manifest.failure?.reason ?? 'unknown'}`,
    );
  const rows = Object.values(manifest.rowCounts).reduce((sum, n) => sum + n, 0);
  out(
    `backup ${manifest.id} verified: ${manifest.file} (${manifest.sizeBytes} bytes, sha256 ${manifest.sha256}), ` +
      `${rows} rows in ${Object.keys(manifest.rowCounts).length} tables, newest order ${manifest.newestOrderAt ?? 'none'}`,
  );
});
