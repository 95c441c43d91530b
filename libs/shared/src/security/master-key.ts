import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { parseMasterKey, type SecurityConfig, type ServerConfig } from '../config/app-config.js';
import { StartupError } from '../config/startup-failure.js';
import { codeOf, replaceSecretFile, uidHint, writeSecretFileExclusive } from '../fs/private-files.js';
import { registerSecret } from '../logging/redaction.js';

export const MASTER_KEY_FILE = 'master.key';
/**
 * The new key of a `npm run master-key:rotate` in progress, written before its transaction and
 * moved over master.key after it commits; left behind only by an interrupted rotation.
 */
export const MASTER_KEY_NEXT_FILE = 'master.key.next';

/** The key that encrypts exchange secrets at rest, with where it came from. */
export class MasterKey {
  constructor(
    readonly key: Buffer,
    readonly source: 'env' | 'file' | 'generated',
  ) {}

  /**
   * MASTER_KEY when set; otherwise the key file in DATA_DIR, generated on first start with a
   * warning (whoever can read DATA_DIR can then decrypt the exchange secrets). The file is
   * written whole or not at all (writeSecretFileExclusive): a full disk at the first start used
   * to leave an empty master.key that every later start refused.
   */
  static resolve(security: SecurityConfig, server: ServerConfig): MasterKey {
    const logger = new Logger(MasterKey.name);
    if (security.masterKey) return remember(new MasterKey(security.masterKey, 'env'));
    const file = join(server.dataDir, MASTER_KEY_FILE);
    const existing = readKeyFile(file);
    if (existing !== undefined && existing.trim() !== '') return remember(new MasterKey(parseMasterKey(existing.trim(), file), 'file'));
    const key = randomBytes(32);
    try {
      if (existing !== undefined) {
        // Only an interrupted write of an earlier version leaves an empty key file; nothing was ever encrypted under it.
        logger.warn(`${file} was empty (left by an interrupted first start): replaced by a new key`);
        replaceSecretFile(file, `${key.toString('hex')}\n`);
      } else if (!writeSecretFileExclusive(file, `${key.toString('hex')}\n`)) {
        // Another instance sharing DATA_DIR generated it a moment ago: use theirs.
        return MasterKey.resolve(security, server);
      }
    } catch (error) {
      throw cannotWrite(file, error);
    }
    logger.warn(`MASTER_KEY is not set: generated one into ${file}; set MASTER_KEY and remove the file for production`);
    return remember(new MasterKey(key, 'generated'));
  }
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw new StartupError(
      `master.key: cannot read ${file} (${codeOf(error)}): make it readable by the user running tradedesk${uidHint()} only (chown, chmod 600), or set MASTER_KEY`,
    );
  }
}

function cannotWrite(file: string, error: unknown): StartupError {
  const code = codeOf(error);
  if (code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT')
    return new StartupError(
      `master.key: no space left to write ${file} (${code}): free disk space under DATA_DIR and start again (nothing was left behind)`,
    );
  return new StartupError(
    `master.key: cannot write ${file} (${code}): make DATA_DIR writable by the user running tradedesk${uidHint()}, or set MASTER_KEY (64 hex digits: openssl rand -hex 32)`,
  );
}

function remember(masterKey: MasterKey): MasterKey {
  registerSecret(masterKey.key.toString('hex'));
  registerSecret(masterKey.key.toString('base64'));
  return masterKey;
}
