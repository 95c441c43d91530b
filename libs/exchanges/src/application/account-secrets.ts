import { Injectable } from '@nestjs/common';
import { MasterKey, registerSecret } from '@tradedesk/shared';
import type { ApiCredentials } from '../domain/exchange-account.js';
import { SecretCipher } from '../infrastructure/crypto/secret-cipher.js';
import type { ExchangeAccountOrmEntity } from '../infrastructure/persistence/exchange-account.orm-entity.js';

export interface SealedCredentials {
  apiKeyCiphertext: string;
  secretCiphertext: string;
  keyId: string;
}

/** Seals and opens exchange keys under the MasterKey, the account id bound in as associated data. */
@Injectable()
export class AccountSecrets {
  private readonly cipher: SecretCipher;

  constructor(masterKey: MasterKey) {
    this.cipher = new SecretCipher(masterKey.key);
  }

  get keyId(): string {
    return this.cipher.keyId;
  }

  seal(accountId: string, credentials: ApiCredentials): SealedCredentials {
    registerSecret(credentials.apiKey);
    registerSecret(credentials.secret);
    return {
      apiKeyCiphertext: this.cipher.encrypt(credentials.apiKey, `${accountId}:apiKey`),
      secretCiphertext: this.cipher.encrypt(credentials.secret, `${accountId}:secret`),
      keyId: this.cipher.keyId,
    };
  }

  /** Throws SecretDecryptionError when the row was sealed under another key (or tampered with). */
  open(row: Pick<ExchangeAccountOrmEntity, 'id' | 'apiKeyCiphertext' | 'secretCiphertext'>): ApiCredentials {
    const credentials = {
      apiKey: this.cipher.decrypt(row.apiKeyCiphertext, `${row.id}:apiKey`),
      secret: this.cipher.decrypt(row.secretCiphertext, `${row.id}:secret`),
    };
    // From now on these strings are masked in every log line, whatever logs them.
    registerSecret(credentials.apiKey);
    registerSecret(credentials.secret);
    return credentials;
  }
}
