// npm run master-key:rotate — re-encrypts every stored exchange secret under a new master key in
// one transaction (a crash or error midway leaves the old key valid), with tradedesk stopped.
//   NEW_MASTER_KEY=<64 hex | base64> npm run master-key:rotate       (preferred: not in the process list)
//   npm run master-key:rotate -- --new-key <64 hex | base64>
//   npm run master-key:rotate -- --generate                          (a random key)
// The current key is MASTER_KEY or DATA_DIR/master.key, as for the server. With master.key the
// file is replaced after the commit (the new key waits in master.key.next until then); with
// MASTER_KEY the operator sets the new value before the next start. Steps: docs/security.md.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKeyMismatchError, masterKeyId, reencryptExchangeSecrets, sealedKeyIds } from '@tradedesk/exchanges';
import {
  type AppConfig,
  codeOf,
  ConfigError,
  MASTER_KEY_FILE,
  MASTER_KEY_NEXT_FILE,
  moveSecretFile,
  parseMasterKey,
  registerSecret,
  replaceSecretFile,
  SqliteInstanceLock,
  SqliteLockedError,
} from '@tradedesk/shared';
import type { DataSource } from 'typeorm';
import { CliError, openDatabase, runCli } from './cli-support.js';

const USAGE = 'give the new key as NEW_MASTER_KEY=<64 hex digits or base64> (preferred), --new-key <key>, or --generate for a random one';

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path} (${codeOf(error)})`);
  }
  return text === '' ? undefined : remember(parseMasterKey(text, path));
}

function remember(key: Buffer): Buffer {
  registerSecret(key.toString('hex'));
  registerSecret(key.toString('base64'));
  return key;
}

function newKeyFromArguments(argv: string[]): { key: Buffer; generated: boolean } | undefined {
  const given: Array<{ key: Buffer; generated: boolean }> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--generate') given.push({ key: randomBytes(32), generated: true });
    else if (arg === '--new-key' || arg.startsWith('--new-key=')) {
      const value = arg === '--new-key' ? argv[++i] : arg.slice('--new-key='.length);
      if (!value) throw new CliError(`--new-key needs a value: ${USAGE}`, 2);
      given.push({ key: parseMasterKey(value.trim(), '--new-key'), generated: false });
    } else throw new CliError(`unknown argument "${arg}": ${USAGE}`, 2);
  }
  const fromEnv = process.env.NEW_MASTER_KEY?.trim();
  if (fromEnv) given.push({ key: parseMasterKey(fromEnv, 'NEW_MASTER_KEY'), generated: false });
  if (given.length > 1) throw new CliError(`more than one new key given: ${USAGE}`, 2);
  if (given[0]) remember(given[0].key);
  return given[0];
}

/** Refuses while a tradedesk server uses the database: it holds the old key in memory and would seal new keys with it. */
async function assertNoServerRunning(config: AppConfig, dataSource: DataSource): Promise<void> {
  if (config.database.kind !== 'postgres') return; // SQLite: the instance lock, taken before opening.
  const [row] = await dataSource.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tradedesk' AND pid <> pg_backend_pid()`,
  );
  if ((row?.n ?? 0) > 0)
    throw new CliError(
      `tradedesk is running on this PostgreSQL database (${row.n} connection(s) named "tradedesk"): stop every instance first, then run this again; nothing was changed`,
    );
}

await runCli('master-key:rotate', async (config) => {
  let requested: { key: Buffer; generated: boolean } | undefined;
  try {
    requested = newKeyFromArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  const keyFile = join(config.server.dataDir, MASTER_KEY_FILE);
  const nextFile = join(config.server.dataDir, MASTER_KEY_NEXT_FILE);
  const fileMode = config.security.masterKey === undefined;
  const currentKey = config.security.masterKey ? remember(config.security.masterKey) : readKeyFile(keyFile);
  if (!currentKey)
    throw new CliError(
      `MASTER_KEY is not set and ${keyFile} does not exist: there is no master key to rotate (set MASTER_KEY to the current key)`,
    );

  const lock = config.database.kind === 'sqlite' ? acquireLock(config.database.sqlitePath) : undefined;
  try {
    const dataSource = await openDatabase(config);
    try {
      await assertNoServerRunning(config, dataSource);
      const holdMigrations = config.database.kind === 'postgres' ? dataSource.createQueryRunner() : undefined;
      // Instances starting meanwhile wait at their migrations (same advisory lock) until this is done.
      await holdMigrations?.query('SELECT pg_advisory_lock(7212001)');
      try {
        await rotate(dataSource, { fileMode, keyFile, nextFile, currentKey, requested });
      } finally {
        await holdMigrations?.query('SELECT pg_advisory_unlock(7212001)').catch(() => undefined);
        await holdMigrations?.release();
      }
    } finally {
      await dataSource.destroy();
    }
  } finally {
    lock?.release();
  }
});

function acquireLock(path: string): SqliteInstanceLock {
  try {
    return SqliteInstanceLock.acquire(path);
  } catch (error) {
    if (error instanceof SqliteLockedError)
      throw new CliError(`tradedesk is running on ${path}: stop it first, then run this again; nothing was changed`);
    throw error;
  }
}

interface RotationPlan {
  fileMode: boolean;
  keyFile: string;
  nextFile: string;
  currentKey: Buffer;
  requested?: { key: Buffer; generated: boolean };
}

type Out = (line: string) => void;

async function rotate(dataSource: DataSource, o: RotationPlan): Promise<void> {
  const out: Out = (line) => process.stdout.write(`${line}\n`);
  if (o.fileMode && (await finishedInterruptedRotation(dataSource, o, out))) return;
  if (!o.requested) throw new CliError(`no new key: ${USAGE}`, 2);
  const newKey = o.requested.key;
  // With master.key, the new key is on disk before anything is sealed with it.
  if (o.fileMode) replaceSecretFile(o.nextFile, `${newKey.toString('hex')}\n`);
  let result;
  try {
    result = await dataSource.transaction((manager) => reencryptExchangeSecrets(manager, o.currentKey, newKey));
  } catch (error) {
    if (o.fileMode) rmSync(o.nextFile, { force: true });
    if (error instanceof MasterKeyMismatchError) throw new CliError(error.message);
    throw error;
  }
  if (o.fileMode) moveSecretFile(o.nextFile, o.keyFile);
  out(
    `re-encrypted the secrets of ${result.reencrypted} exchange account(s) from key id ${result.fromKeyId} to key id ${result.toKeyId}` +
      `${result.alreadyRotated ? ` (${result.alreadyRotated} already under it)` : ''} in one transaction; recorded in GET /api/audit`,
  );
  if (o.fileMode) {
    out(`${o.keyFile} now holds the new key: start tradedesk as before`);
    return;
  }
  if (o.requested.generated) out(`new master key (shown once; key id ${result.toKeyId}): ${newKey.toString('hex')}`);
  out(
    `now set MASTER_KEY to the new key (key id ${result.toKeyId}) wherever tradedesk starts, then start it: the old key opens nothing any more`,
  );
}

/**
 * A next-key file left by an earlier run: when every secret is sealed under it, that rotation
 * committed and only the file move is missing (done now: true); otherwise it never committed and
 * the file goes (false: rotate as asked).
 */
async function finishedInterruptedRotation(dataSource: DataSource, o: RotationPlan, out: Out): Promise<boolean> {
  const pending = readKeyFile(o.nextFile);
  if (!pending) return false;
  const sealed = await sealedKeyIds(dataSource.manager);
  if (sealed.length > 0 && sealed.every((id) => id === masterKeyId(pending))) {
    moveSecretFile(o.nextFile, o.keyFile);
    out(
      `finished an interrupted rotation: ${o.keyFile} now holds key id ${masterKeyId(pending)}, which every stored secret is sealed under`,
    );
    if (o.requested) out('run master-key:rotate again to rotate to another key');
    return true;
  }
  rmSync(o.nextFile, { force: true });
  return false;
}
