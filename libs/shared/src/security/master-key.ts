import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { parseMasterKey, type SecurityConfig, type ServerConfig } from '../config/app-config.js';
import { registerSecret } from '../logging/redaction.js';

export const MASTER_KEY_FILE = 'master.key';

/** The key that encrypts exchange secrets at rest, with where it came from. */
export class MasterKey {
  constructor(
    readonly key: Buffer,
    readonly source: 'env' | 'file' | 'generated',
  ) {}

  /**
   * MASTER_KEY when set; otherwise the key file in DATA_DIR, generated on first start with a
   * warning (whoever can read DATA_DIR can then decrypt the exchange secrets).
   */
  static resolve(security: SecurityConfig, server: ServerConfig): MasterKey {
    const logger = new Logger(MasterKey.name);
    if (security.masterKey) return remember(new MasterKey(security.masterKey, 'env'));
    const file = join(server.dataDir, MASTER_KEY_FILE);
    if (existsSync(file)) return remember(new MasterKey(parseMasterKey(readFileSync(file, 'utf8').trim(), file), 'file'));
    mkdirSync(server.dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    logger.warn(`MASTER_KEY is not set: generated one into ${file}; set MASTER_KEY and remove the file for production`);
    return remember(new MasterKey(key, 'generated'));
  }
}

function remember(masterKey: MasterKey): MasterKey {
  registerSecret(masterKey.key.toString('hex'));
  registerSecret(masterKey.key.toString('base64'));
  return masterKey;
}
