/**
 * The one error hierarchy of tradedesk. Every error a user can see carries a stable machine
 * `code` (e.g. `ORDER.BELOW_MIN_NOTIONAL`) and maps to one HTTP status in the global filter.
 */
export type ErrorKind =
  'validation' | 'unauthorized' | 'not_found' | 'conflict' | 'unprocessable' | 'rate_limited' | 'unavailable' | 'internal';

export const HTTP_STATUS_OF: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
    /** Extra machine-readable facts (the limit, the field…), included in the error body. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Seconds a client should wait before trying again (sent as `Retry-After`), for 429 and 503 answers. */
  retryAfterSeconds?: number;

  get httpStatus(): number {
    return HTTP_STATUS_OF[this.kind];
  }

  retryAfter(seconds: number): this {
    this.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
    return this;
  }
}

/** Input that breaks a rule; `field` names the offending field when there is one. */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

/** Well-formed, but refused by the exchange or by the current state of things. */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable' as const;
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized' as const;
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited' as const;
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable' as const;
}
