import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiAuthenticator,
  AUTHENTICATED,
  checkTextParameters,
  type ErrorBody,
  parseJsonBody,
  type TradedeskRouteConfig,
} from '@tradedesk/shared';

/** Methods and headers the API uses, for browsers calling it from an origin of CORS_ORIGINS. */
export const CORS_OPTIONS = {
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
  exposedHeaders: ['X-Request-Id', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Location'],
  maxAge: 600,
};

/** Swagger UI and the spec are registered on Fastify directly, without Nest's route options. */
const DOCS_PREFIX = '/api/docs';

function isApiRoute(route: string): boolean {
  return route === '/api' || route.startsWith('/api/');
}

/**
 * JSON is the only body the API reads: Fastify's own parsers (JSON, plain text) and Nest's
 * (JSON, URL-encoded forms) are replaced by parseJsonBody with its depth, key and
 * control-character rules; any other content type is a 415.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * Checks the bearer token of every /api route that is not @Public() as soon as the request line
 * and headers are in, before a byte of the body is read or parsed: an unauthenticated client
 * costs a header lookup and a hash, however large and deep the body it announces. Unknown /api
 * routes need the token too (a client without one learns nothing about which routes exist).
 * Then query strings and path parameters get the body's control-character rule. A request
 * refused here with a large body still to come loses its connection (bodyStillToCome).
 */
export function installRequestGuard(fastify: FastifyInstance, authenticator: ApiAuthenticator): void {
  fastify.addHook('onRequest', async (request: FastifyRequest & { [AUTHENTICATED]?: boolean }, reply) => {
    // Preflights carry no credentials by design; the CORS hook before this one answered them.
    if (request.method === 'OPTIONS') return;
    // The matched route, not the raw URL: the router decodes %-escapes the URL may hide `/api` in.
    const route = request.routeOptions.url ?? request.url.split('?')[0];
    if (!isApiRoute(route)) return;
    try {
      const config = request.routeOptions.config as TradedeskRouteConfig | undefined;
      if (!config?.tradedeskPublic && !route.startsWith(DOCS_PREFIX)) {
        await authenticator.authenticate(request.ip, request.headers.authorization);
        request[AUTHENTICATED] = true;
      }
      checkTextParameters('query', request.query);
      checkTextParameters('path', request.params);
    } catch (error) {
      if (bodyStillToCome(request)) reply.header('connection', 'close');
      throw error;
    }
  });
}

/** A refused request's body up to this size is read and dropped, keeping its connection for the next request. */
const DRAINED_BODY_BYTES = 16 * 1024;

/**
 * Whether a request refused before its body was read announced more body than is worth reading
 * to keep the connection: then the answer says `Connection: close` and Node ends the socket once
 * it is written, instead of reading up to 1 MB more only to drop it. Twenty clients sending 1 MB
 * bodies without a token in a loop kept the event loop busy reading them (health probe p99
 * 242 ms); closing, 33 ms (bench/hostile-bodies).
 */
function bodyStillToCome(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length === undefined) return request.headers['transfer-encoding'] !== undefined;
  // A length that is not a number is not trusted to be small.
  const declared = Number(length);
  return Number.isNaN(declared) || declared > DRAINED_BODY_BYTES;
}

/**
 * Fastify's router refuses a malformed URL (400, bad percent-encoding) or a path parameter over
 * its length limit (414) before any hook or Nest's filter runs; the answer is the api.md body.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  const [code, message] =
    status === 414
      ? ['REQUEST.URI_TOO_LONG', 'A path segment is longer than the API takes (100 characters)']
      : ['REQUEST.MALFORMED_URL', 'The URL is not valid (check its percent-encoding)'];
  const requestId = request.id ?? randomUUID();
  const body: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code, requestId };
  // No route matched, so no onSend hook adds the request id header.
  void reply
    .code(status)
    .header('x-request-id', requestId)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(body));
}
