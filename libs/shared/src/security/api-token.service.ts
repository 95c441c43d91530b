import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SecurityConfig } from '../config/app-config.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { registerSecret } from '../logging/redaction.js';
import { ApiCredentialOrmEntity } from './api-credential.orm-entity.js';

const CREDENTIAL_ID = 'api-token';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The bearer token of the API. From API_TOKEN when set; otherwise generated on the first start,
 * printed once to the terminal (not to the log files) and kept only as a hash.
 */
@Injectable()
export class ApiTokenService {
  private readonly logger = new Logger(ApiTokenService.name);
  private expectedHash: Buffer | undefined;

  constructor(
    private readonly config: SecurityConfig,
    private readonly uow: UnitOfWork,
  ) {}

  /** Loads or creates the token hash; returns the new plain token when one was generated. */
  async initialize(): Promise<string | undefined> {
    if (this.config.apiToken) {
      registerSecret(this.config.apiToken);
      this.expectedHash = Buffer.from(sha256Hex(this.config.apiToken), 'hex');
      return undefined;
    }
    return this.uow.run(async ({ manager }) => {
      const existing = await manager.findOneBy(ApiCredentialOrmEntity, { id: CREDENTIAL_ID });
      if (existing) {
        this.expectedHash = Buffer.from(existing.tokenSha256, 'hex');
        return undefined;
      }
      const token = `td_${randomBytes(32).toString('base64url')}`;
      registerSecret(token);
      await manager.insert(ApiCredentialOrmEntity, { id: CREDENTIAL_ID, tokenSha256: sha256Hex(token), createdAt: new Date() });
      this.expectedHash = Buffer.from(sha256Hex(token), 'hex');
      this.logger.warn('API_TOKEN is not set: generated an API token; it is printed once on the terminal and stored only as a hash');
      return token;
    });
  }

  verify(presented: string | undefined): boolean {
    if (!presented || !this.expectedHash) return false;
    const hash = Buffer.from(sha256Hex(presented), 'hex');
    return timingSafeEqual(hash, this.expectedHash);
  }
}
