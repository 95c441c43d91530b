import { Injectable } from '@nestjs/common';
import { ServerConfig } from '../config/app-config.js';
import { RateLimitedError, UnauthorizedError } from '../errors/domain-error.js';
import { ApiTokenService } from './api-token.service.js';

const WINDOW_MS = 60_000;
/** Clients remembered at once; beyond it expired entries go first, then the oldest. */
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Checks the bearer token of a request, and limits wrong guesses per client address: after
 * AUTH_FAILURES_PER_MINUTE wrong tokens, every request of that client that needs a token is
 * answered 429 until its minute ends — a right token included, or a guess would still learn
 * that it was right. A missing token is not a guess and is not counted. Used before the body is
 * read (the HTTP hook) and by the guard, so both answer the same way.
 */
@Injectable()
export class ApiAuthenticator {
  private readonly failures = new Map<string, { count: number; windowEndsAt: number }>();

  constructor(
    private readonly tokens: ApiTokenService,
    private readonly server: ServerConfig,
  ) {}

  async authenticate(client: string, authorization: string | string[] | undefined): Promise<void> {
    const now = Date.now();
    const entry = this.failures.get(client);
    if (entry && entry.windowEndsAt <= now) this.failures.delete(client);
    else if (entry && entry.count >= this.server.authFailuresPerMinute) {
      throw new RateLimitedError(
        'AUTH.TOO_MANY_FAILURES',
        `Too many requests with a wrong token from this client; try again in ${Math.ceil((entry.windowEndsAt - now) / 1000)} s`,
      ).retryAfter((entry.windowEndsAt - now) / 1000);
    }
    const header = typeof authorization === 'string' ? authorization : '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('AUTH.MISSING_TOKEN', 'This route needs an "Authorization: Bearer <token>" header');
    if (!(await this.tokens.verify(match[1]))) {
      this.recordFailure(client, now);
      throw new UnauthorizedError('AUTH.INVALID_TOKEN', 'The bearer token is not valid');
    }
  }

  private recordFailure(client: string, now: number): void {
    const entry = this.failures.get(client);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.failures.size >= MAX_TRACKED_CLIENTS) {
      for (const [key, e] of this.failures) if (e.windowEndsAt <= now) this.failures.delete(key);
      if (this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
    }
    this.failures.set(client, { count: 1, windowEndsAt: now + WINDOW_MS });
  }
}
