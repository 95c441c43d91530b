import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/columns.js';

/** The SHA-256 of the generated API token; the token itself is shown once and never stored. */
@Entity('api_credentials')
export class ApiCredentialOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  tokenSha256: string;

  @TimestampColumn()
  createdAt: Date;
}
