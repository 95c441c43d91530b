import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** The stored key material could not be opened: wrong MASTER_KEY, other account id, or tampering. */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * AES-256-GCM for exchange secrets: a fresh random IV per encryption, the account id as
 * associated data (a ciphertext copied to another account does not open), and a key id stored
 * beside each ciphertext so a key rotation knows which key sealed what.
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretCipher {
  /** Names the key without revealing it: the first 16 hex digits of an HMAC under the key. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    this.keyId = createHmac('sha256', key).update('tradedesk exchange secrets key id').digest('hex').slice(0, 16);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(sealed: string, associatedData: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== FORMAT) throw new SecretDecryptionError('not a sealed secret of a known format');
    const [, iv, tag, ciphertext] = parts as [string, string, string, string];
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('the secret does not open with this master key and account');
    }
  }
}
