import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretCipher, SecretDecryptionError } from './secret-cipher.js';

const sut = new SecretCipher(randomBytes(32));

describe('SecretCipher', () => {
  it('round-trips any secret under its own account id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.uuid(), (secret, accountId) => {
        expect(sut.decrypt(sut.encrypt(secret, accountId), accountId)).toBe(secret);
      }),
    );
  });

  it('never shows the plaintext and uses a fresh IV each time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 100 }), (secret) => {
        const a = sut.encrypt(secret, 'acc');
        const b = sut.encrypt(secret, 'acc');
        expect(a).not.toBe(b);
        expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
        expect(a).not.toContain(secret);
        expect(Buffer.from(a.split('.')[3], 'base64url').toString('utf8')).not.toContain(secret);
      }),
    );
  });

  it('refuses another account id, another key or a flipped bit', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.nat(), (secret, bit) => {
        const sealed = sut.encrypt(secret, 'account-a');
        expect(() => sut.decrypt(sealed, 'account-b')).toThrow(SecretDecryptionError);
        expect(() => new SecretCipher(randomBytes(32)).decrypt(sealed, 'account-a')).toThrow(SecretDecryptionError);
        const raw = Buffer.from(sealed.split('.')[3], 'base64url');
        raw[bit % raw.length] ^= 1 << (bit % 8);
        const tampered = [...sealed.split('.').slice(0, 3), raw.toString('base64url')].join('.');
        expect(() => sut.decrypt(tampered, 'account-a')).toThrow(SecretDecryptionError);
      }),
    );
  });

  it('names its key by a stable id that differs between keys', () => {
    const key = randomBytes(32);
    expect(new SecretCipher(key).keyId).toBe(new SecretCipher(Buffer.from(key)).keyId);
    expect(new SecretCipher(key).keyId).not.toBe(sut.keyId);
    expect(sut.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(() => new SecretCipher(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => sut.decrypt('garbage', 'a')).toThrow(SecretDecryptionError);
  });
});
