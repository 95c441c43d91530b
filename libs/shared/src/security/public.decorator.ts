import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'tradedesk:isPublic';

/** Opens a route without the bearer token (health probes, API docs, the dashboard shell). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
