import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { RequestContext } from '../context/request-context.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../database/database-errors.js';
import { DomainError, UnavailableError } from '../errors/domain-error.js';
import type { ErrorBody } from './error-body.js';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): void;
}

const MALFORMED_JSON = /not valid JSON|Unexpected (token|end of JSON)/i;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHORIZED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.METHOD_NOT_ALLOWED',
  409: 'REQUEST.CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  422: 'REQUEST.UNPROCESSABLE',
  429: 'REQUEST.RATE_LIMITED',
  503: 'SERVICE.UNAVAILABLE',
};

/**
 * The one place errors become HTTP answers: DomainErrors by their kind and code, Nest/Fastify
 * HTTP errors by status, anything else as a logged 500 that does not leak internals.
 */
/** A database outage is logged once per this interval, with the count of requests it refused. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  private lastOutageLog = 0;
  private refusedSinceLog = 0;

  catch(caught: unknown, host: ArgumentsHost): void {
    const exception = this.translate(caught);
    const http = host.switchToHttp();
    const reply = http.getResponse<ReplyLike>();
    const request = http.getRequest<{ id?: string; method?: string; url?: string }>();
    const requestId = RequestContext.correlationId() ?? request.id ?? 'unknown';
    const health = healthReport(exception);
    if (health) {
      // Terminus' report is the contract of the health routes (orchestrators read `error`/`details`).
      reply
        .status(503)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ ...health, requestId });
      return;
    }
    const body = this.toBody(exception, requestId);
    if (body.statusCode >= 500) {
      this.logger.error(
        `${request.method} ${request.url} failed: ${describe(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(exception.retryAfterSeconds));
    reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  /**
   * A database that cannot be reached or used is the server's state, not a bug of the request:
   * 503 with a retry hint, logged once per interval rather than as one stack per request.
   */
  private translate(exception: unknown): unknown {
    if (exception instanceof DomainError || exception instanceof HttpException || !isDatabaseUnavailable(exception)) return exception;
    this.refusedSinceLog++;
    if (Date.now() - this.lastOutageLog >= OUTAGE_LOG_INTERVAL_MS) {
      this.logger.warn(
        `database unavailable, answering 503 (${this.refusedSinceLog} request(s) since the last report): ${describe(exception)}`,
      );
      this.lastOutageLog = Date.now();
      this.refusedSinceLog = 0;
    }
    return new UnavailableError(
      'DATABASE.UNAVAILABLE',
      `The database is unavailable right now; try again in ${DATABASE_RETRY_AFTER_SECONDS} s`,
    ).retryAfter(DATABASE_RETRY_AFTER_SECONDS);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const status = exception.httpStatus;
      return {
        statusCode: status,
        error: reason(status),
        message: exception.message,
        code: exception.code,
        requestId,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) return httpExceptionBody(exception, requestId);
    const fastifyError = exception as FastifyClientError | null | undefined;
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return fastifyClientErrorBody(fastifyError, fastifyError.statusCode, requestId);
    }
    return {
      statusCode: 500,
      error: reason(500),
      message: 'Internal error; the server log has the details under this requestId',
      code: 'INTERNAL.ERROR',
      requestId,
    };
  }
}

interface FastifyClientError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function httpExceptionBody(exception: HttpException, requestId: string): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : (messageOf(response) ?? exception.message);
  const code =
    exception instanceof ThrottlerException
      ? 'REQUEST.RATE_LIMITED'
      : // Nest's Fastify adapter rethrows the body parser's failure as a plain BadRequestException.
        status === 400 && MALFORMED_JSON.test(message)
        ? 'REQUEST.MALFORMED_JSON'
        : codeOfStatus(status);
  return { statusCode: status, error: reason(status), message, code, requestId };
}

/** Raised by Fastify before Nest sees the request (malformed JSON, body too large, bad content type). */
function fastifyClientErrorBody(error: FastifyClientError, status: number, requestId: string): ErrorBody {
  const code =
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || MALFORMED_JSON.test(error.message ?? '')
      ? 'REQUEST.MALFORMED_JSON'
      : codeOfStatus(status);
  return { statusCode: status, error: reason(status), message: error.message ?? reason(status), code, requestId };
}

function codeOfStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? `HTTP.${status}`;
}

function healthReport(exception: unknown): Record<string, unknown> | undefined {
  if (!(exception instanceof HttpException) || exception.getStatus() !== 503) return undefined;
  const response: unknown = exception.getResponse();
  return isObject(response) && 'details' in response && (response as { status?: unknown }).status === 'error' ? response : undefined;
}

/** Checked at run time: an HttpException may carry any response, null included, whatever its type says. */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function messageOf(response: object): string | undefined {
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

function reason(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string'
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
