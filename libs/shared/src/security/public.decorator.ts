import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';

export const IS_PUBLIC = 'tradedesk:isPublic';

/** The Fastify route option that tells the request hook a route takes no token (read before the body is). */
export interface TradedeskRouteConfig {
  tradedeskPublic?: boolean;
}

/**
 * Opens a route without the bearer token (health probes, API docs, the dashboard shell). Put it
 * on the handler method: the route option it also sets is per handler.
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), RouteConfig({ tradedeskPublic: true } satisfies TradedeskRouteConfig));
