import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '../errors/domain-error.js';
import { ApiTokenService } from './api-token.service.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Every route needs `Authorization: Bearer <token>` unless marked @Public(). */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('AUTH.MISSING_TOKEN', 'This route needs an "Authorization: Bearer <token>" header');
    if (!this.tokens.verify(match[1])) throw new UnauthorizedError('AUTH.INVALID_TOKEN', 'The bearer token is not valid');
    return true;
  }
}
