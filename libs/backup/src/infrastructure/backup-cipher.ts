import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** File layout: MAGIC (8) · salt (16) · iv (12) · ciphertext · GCM tag (16). The header is authenticated too. */
const MAGIC = Buffer.from('TDBKENC1', 'ascii');
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + SALT_BYTES + IV_BYTES;
const FILE_KEY_INFO = 'tradedesk backup file key v1';

/** A short fingerprint of the master key for manifests: it tells which key sealed a backup without revealing it. */
export function backupKeyId(masterKey: Buffer): string {
  const idKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tradedesk backup key id v1', 32));
  return createHash('sha256').update(idKey).digest('hex').slice(0, 16);
}

function fileKey(masterKey: Buffer, salt: Buffer): Buffer {
  // A key per file (random salt): the master key itself never encrypts a backup.
  return Buffer.from(hkdfSync('sha256', masterKey, salt, FILE_KEY_INFO, 32));
}

/**
 * A stream that seals what passes through it with AES-256-GCM: the header first, the tag last.
 * What comes out is the whole encrypted file.
 */
export function encryptingStream(masterKey: Buffer): Transform {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([MAGIC, salt, iv]);
  const cipher = createCipheriv('aes-256-gcm', fileKey(masterKey, salt), iv);
  cipher.setAAD(header);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!started) {
        started = true;
        this.push(header);
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback: TransformCallback) {
      if (!started) this.push(header);
      const last = cipher.final();
      callback(null, Buffer.concat([last, cipher.getAuthTag()]));
    },
  });
}

/** Not a backup sealed by tradedesk, or sealed under another master key, or altered: the message says which. */
export class BackupDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupDecryptionError';
  }
}

/**
 * Reads an encrypted backup file back as plaintext. The tag is read from the file's end first, so
 * the stream fails at its end (before it ends cleanly) if a single byte was changed anywhere.
 */
export async function decryptingReadStream(path: string, masterKey: Buffer): Promise<ReadStream | Transform> {
  const handle = await open(path, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    if (size < HEADER_BYTES + TAG_BYTES) throw new BackupDecryptionError(`${path} is too short to be an encrypted backup`);
    header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    tag = Buffer.alloc(TAG_BYTES);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupDecryptionError(`${path} is not an encrypted tradedesk backup`);
  const salt = header.subarray(MAGIC.length, MAGIC.length + SALT_BYTES);
  const iv = header.subarray(MAGIC.length + SALT_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', fileKey(masterKey, salt), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  const body = createReadStream(path, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 });
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      callback(null, decipher.update(chunk));
    },
    flush(callback: TransformCallback) {
      try {
        callback(null, decipher.final());
      } catch {
        callback(
          new BackupDecryptionError(
            'the backup does not decrypt: it was altered, or sealed under another master key (compare the manifest keyId with the current key)',
          ),
        );
      }
    },
  });
  body.on('error', (error) => out.destroy(error));
  return body.pipe(out);
}
