import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAuditEntry } from '../audit/audit-trail.js';
import { SecurityConfig } from '../config/app-config.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { registerSecret } from '../logging/redaction.js';
import { ApiCredentialOrmEntity } from './api-credential.orm-entity.js';

/** The row holding the hash of the generated (or rotated) token. */
export const API_TOKEN_CREDENTIAL = 'api-token';
/**
 * Present while the instances on this database take their token from API_TOKEN (the hash of that
 * token): `npm run token:rotate` then refuses, since a rotated token would not be the one they check.
 */
export const ENV_API_TOKEN_CREDENTIAL = 'api-token-env';

const WARN_INTERVAL_MS = 60_000;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateApiToken(): string {
  return `td_${randomBytes(32).toString('base64url')}`;
}

export class ApiTokenFromEnvironmentError extends Error {
  constructor() {
    super(
      'API_TOKEN: tradedesk takes its token from the API_TOKEN variable here, so there is no stored token to rotate. ' +
        'Set API_TOKEN to a new value (e.g. openssl rand -base64 32) and restart every instance; the old one is refused from then on.',
    );
    this.name = 'ApiTokenFromEnvironmentError';
  }
}

/**
 * Replaces the stored token hash with a new token's, and records it in the audit log, in the
 * caller's transaction. Returns the new token: shown once, never stored. Used by
 * `npm run token:rotate`; running instances read the hash on every request, so the old token is
 * refused as soon as this commits.
 */
export async function rotateApiToken(manager: EntityManager): Promise<{ token: string; replaced: boolean }> {
  if (await manager.findOneBy(ApiCredentialOrmEntity, { id: ENV_API_TOKEN_CREDENTIAL })) throw new ApiTokenFromEnvironmentError();
  const token = generateApiToken();
  registerSecret(token);
  const existing = await manager.findOneBy(ApiCredentialOrmEntity, { id: API_TOKEN_CREDENTIAL });
  const row = { id: API_TOKEN_CREDENTIAL, tokenSha256: sha256Hex(token), createdAt: new Date() };
  if (existing) await manager.update(ApiCredentialOrmEntity, { id: API_TOKEN_CREDENTIAL }, row);
  else await manager.insert(ApiCredentialOrmEntity, row);
  await appendAuditEntry(manager, {
    action: 'api_token.rotated',
    actor: 'cli',
    details: { replaced: existing ? `token created ${existing.createdAt.toISOString()}` : 'none (no token was stored)' },
  });
  return { token, replaced: existing !== null };
}

/**
 * The bearer token of the API. From API_TOKEN when set; otherwise generated on the first start,
 * printed once to the terminal (not to the log files) and kept only as a hash — which every
 * verification reads from the database, so `npm run token:rotate` takes effect at once in every
 * running instance. If the database cannot be read, the last hash read stands in.
 */
@Injectable()
export class ApiTokenService {
  private readonly logger = new Logger(ApiTokenService.name);
  private envHash: Buffer | undefined;
  private lastStoredHash: Buffer | undefined;
  private lastReadWarning = 0;

  constructor(
    private readonly config: SecurityConfig,
    private readonly uow: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Loads or creates the token hash; returns the new plain token when one was generated. */
  async initialize(): Promise<string | undefined> {
    if (this.config.apiToken) {
      registerSecret(this.config.apiToken);
      this.envHash = Buffer.from(sha256Hex(this.config.apiToken), 'hex');
      await this.uow.run(async ({ manager }) => {
        await manager.upsert(
          ApiCredentialOrmEntity,
          { id: ENV_API_TOKEN_CREDENTIAL, tokenSha256: this.envHash!.toString('hex'), createdAt: new Date() },
          ['id'],
        );
      });
      return undefined;
    }
    return this.uow.run(async ({ manager }) => {
      await manager.delete(ApiCredentialOrmEntity, { id: ENV_API_TOKEN_CREDENTIAL });
      const existing = await manager.findOneBy(ApiCredentialOrmEntity, { id: API_TOKEN_CREDENTIAL });
      if (existing) {
        this.lastStoredHash = Buffer.from(existing.tokenSha256, 'hex');
        return undefined;
      }
      const token = generateApiToken();
      registerSecret(token);
      await manager.insert(ApiCredentialOrmEntity, { id: API_TOKEN_CREDENTIAL, tokenSha256: sha256Hex(token), createdAt: new Date() });
      this.lastStoredHash = Buffer.from(sha256Hex(token), 'hex');
      this.logger.warn('API_TOKEN is not set: generated an API token; it is printed once on the terminal and stored only as a hash');
      return token;
    });
  }

  async verify(presented: string | undefined): Promise<boolean> {
    if (!presented) return false;
    const expected = this.envHash ?? (await this.storedHash());
    if (!expected) return false;
    return timingSafeEqual(Buffer.from(sha256Hex(presented), 'hex'), expected);
  }

  /**
   * The stored hash as of now. A primary-key read, outside the unit-of-work queue: no transaction
   * of this process writes the row after start (only token:rotate, from another process, does),
   * so there is nothing uncommitted of ours to see on SQLite's one connection.
   */
  private async storedHash(): Promise<Buffer | undefined> {
    try {
      const row = await this.dataSource.manager.findOne(ApiCredentialOrmEntity, {
        where: { id: API_TOKEN_CREDENTIAL },
        select: { id: true, tokenSha256: true },
      });
      this.lastStoredHash = row ? Buffer.from(row.tokenSha256, 'hex') : undefined;
    } catch (error) {
      if (Date.now() - this.lastReadWarning >= WARN_INTERVAL_MS) {
        this.lastReadWarning = Date.now();
        this.logger.warn(
          `cannot read the API token hash (${error instanceof Error ? error.message : String(error)}): checking against the last one read`,
        );
      }
    }
    return this.lastStoredHash;
  }
}
