import { Injectable, type NestMiddleware } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';

/** Runs the rest of the request inside its correlation context (the Fastify request id and the client's address). */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(request: { id?: string; ip?: string }, _reply: unknown, next: () => void): void {
    RequestContext.run(request.id, next, request.ip);
  }
}
