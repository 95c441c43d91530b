import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from './error-body.js';

/**
 * Node's HTTP parser refuses some requests before Fastify (and so Nest's filter) ever sees them:
 * a header block or URL over 16 KB (431), a malformed request line or header (400), a request
 * that took too long to arrive (408). They are answered here with the same error body as every
 * other error, a fresh request id, and the connection closed (its framing cannot be trusted).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST.TIMEOUT', 'The request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'REQUEST.HEADERS_TOO_LARGE', 'The URL and headers together exceed 16 KB; send long lists in smaller requests']
        : [400, 'REQUEST.MALFORMED_HTTP', 'The request is not valid HTTP'];
  const requestId = randomUUID();
  const body: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code, requestId };
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `X-Request-Id: ${requestId}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}
