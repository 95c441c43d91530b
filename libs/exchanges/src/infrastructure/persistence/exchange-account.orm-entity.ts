import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';

/** An exchange account; API key and secret only as AES-256-GCM ciphertext (see SecretCipher). */
@Entity('exchange_accounts')
@Index('ix_exchange_accounts_exchange_mode', ['exchange', 'mode'])
export class ExchangeAccountOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  exchange: string;

  @Column({ type: 'varchar', length: 16 })
  mode: string;

  @Column({ type: 'varchar', length: 100 })
  label: string;

  @Column({ type: 'text' })
  apiKeyCiphertext: string;

  @Column({ type: 'text' })
  secretCiphertext: string;

  /** Which master key sealed the two ciphertexts (SecretCipher.keyId), for rotation and start-up checks. */
  @Column({ type: 'varchar', length: 32 })
  keyId: string;

  /** Last characters of the API key, to tell keys apart on read; never the secret. */
  @Column({ type: 'varchar', length: 8 })
  apiKeyHint: string;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
