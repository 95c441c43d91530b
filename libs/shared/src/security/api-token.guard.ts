import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiAuthenticator } from './api-authenticator.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Set on a request whose token the HTTP hook checked before its body was read. */
export const AUTHENTICATED = Symbol('tradedesk.authenticated');

/**
 * Every route needs `Authorization: Bearer <token>` unless marked @Public(). Routes under /api
 * are checked earlier, before their body is read (apps/api's request hook); this guard covers
 * whatever that hook did not see.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiAuthenticator,
  ) {}

  /** Lets the request through or throws: a wrong or missing token is an error answer, never a silent 403. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ ip?: string; headers: Record<string, string | undefined>; [AUTHENTICATED]?: boolean }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (!isPublic && !request[AUTHENTICATED]) await this.authenticator.authenticate(request.ip ?? 'unknown', request.headers.authorization);
    return true;
  }
}
