import { appendAuditEntry, byCodeUnits } from '@tradedesk/shared';
import { type EntityManager, Not } from 'typeorm';
import { SecretCipher, SecretDecryptionError } from '../infrastructure/crypto/secret-cipher.js';
import { ExchangeAccountOrmEntity } from '../infrastructure/persistence/exchange-account.orm-entity.js';

/** The id a master key seals under (stored beside each ciphertext); names a key without revealing it. */
export function masterKeyId(key: Buffer): string {
  return new SecretCipher(key).keyId;
}

/** A stored secret that does not open with the key said to be current: nothing was changed. */
export class MasterKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyMismatchError';
  }
}

export interface MasterKeyRotation {
  fromKeyId: string;
  toKeyId: string;
  /** Accounts whose secrets were opened with the old key and sealed with the new one. */
  reencrypted: number;
  /** Accounts already sealed with the new key (a rotation run again after it committed). */
  alreadyRotated: number;
}

/** Key ids the stored exchange secrets are sealed under (paper accounts hold none). */
export async function sealedKeyIds(manager: EntityManager): Promise<string[]> {
  const rows = await manager.find(ExchangeAccountOrmEntity, { where: { mode: Not('paper') }, select: { id: true, keyId: true } });
  return [...new Set(rows.map((r) => r.keyId))].sort(byCodeUnits);
}

/**
 * Opens every stored exchange secret with `oldKey` and seals it again with `newKey`, and records
 * the rotation in the audit log, all with the caller's manager: run it in one transaction and
 * either every account moves to the new key or none does (a crash or an error midway leaves the
 * old key valid). Rows already under the new key are left as they are, so running it again after
 * it committed changes nothing. Any secret that opens with neither key stops it.
 */
export async function reencryptExchangeSecrets(manager: EntityManager, oldKey: Buffer, newKey: Buffer): Promise<MasterKeyRotation> {
  const from = new SecretCipher(oldKey);
  const to = new SecretCipher(newKey);
  if (from.keyId === to.keyId) throw new MasterKeyMismatchError('the new master key is the current one: nothing to rotate');
  const postgres = manager.dataSource.options.type === 'postgres';
  const rows = await manager.find(ExchangeAccountOrmEntity, {
    where: { mode: Not('paper') },
    order: { createdAt: 'ASC', id: 'ASC' },
    // PostgreSQL: no instance can change these rows until the rotation commits (SQLite: the write lock does that).
    ...(postgres ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  let reencrypted = 0;
  let alreadyRotated = 0;
  for (const row of rows) {
    const aad = { apiKey: `${row.id}:apiKey`, secret: `${row.id}:secret` };
    let plain: { apiKey: string; secret: string };
    try {
      const cipher = row.keyId === to.keyId ? to : from;
      plain = { apiKey: cipher.decrypt(row.apiKeyCiphertext, aad.apiKey), secret: cipher.decrypt(row.secretCiphertext, aad.secret) };
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      throw new MasterKeyMismatchError(
        `the keys of exchange account "${row.label}" (${row.id}) do not open with the current master key (key id ${from.keyId}; ` +
          `they were sealed under ${row.keyId}): nothing was changed. Run with the MASTER_KEY tradedesk starts with.`,
      );
    }
    if (row.keyId === to.keyId) {
      alreadyRotated++;
      continue;
    }
    await manager.update(
      ExchangeAccountOrmEntity,
      { id: row.id },
      {
        apiKeyCiphertext: to.encrypt(plain.apiKey, aad.apiKey),
        secretCiphertext: to.encrypt(plain.secret, aad.secret),
        keyId: to.keyId,
      },
    );
    reencrypted++;
  }
  await appendAuditEntry(manager, {
    action: 'master_key.rotated',
    actor: 'cli',
    details: { fromKeyId: from.keyId, toKeyId: to.keyId, accountsReencrypted: reencrypted, accountsAlreadyRotated: alreadyRotated },
  });
  return { fromKeyId: from.keyId, toKeyId: to.keyId, reencrypted, alreadyRotated };
}
