// Cross-cutting building blocks of tradedesk: config, errors, money, DDD bases, persistence, cache, logging, HTTP plumbing, the audit log.
export * from './config/app-config.js';
export * from './config/config.module.js';
export * from './config/startup-failure.js';
export * from './fs/private-files.js';
export * from './errors/domain-error.js';
export * from './money/decimal.js';
export * from './money/decimal-column.js';
export * from './money/rounding.js';
export * from './ddd/domain-event.js';
export * from './context/request-context.js';
export * from './logging/redaction.js';
export * from './logging/logger.factory.js';
export * from './database/columns.js';
export * from './database/insert-rows.js';
export * from './database/tradedesk-data-source.js';
export * from './database/sqlite-instance-lock.js';
export * from './database/unit-of-work.js';
export * from './database/database-errors.js';
export * from './outbox/outbox.js';
export * from './outbox/outbox-message.orm-entity.js';
export * from './cache/resilient-cache.js';
export * from './cache/cache.module.js';
export * from './http/error-body.js';
export * from './http/all-exceptions.filter.js';
export * from './http/validation.js';
export * from './http/json-body.js';
export * from './http/text.js';
export * from './http/client-error.js';
export * from './http/page-query.js';
export * from './http/request-context.middleware.js';
export * from './health/health-registry.js';
export * from './security/api-credential.orm-entity.js';
export * from './security/api-token.service.js';
export * from './security/api-token.guard.js';
export * from './security/api-authenticator.js';
export * from './security/public.decorator.js';
export * from './security/master-key.js';
export * from './audit/audit-entry.orm-entity.js';
export * from './audit/audit-trail.js';
export * from './audit/audit.module.js';
export * from './platform.module.js';

import { ApiCredentialOrmEntity } from './security/api-credential.orm-entity.js';
import { OutboxMessageOrmEntity } from './outbox/outbox-message.orm-entity.js';
import { AuditEntryOrmEntity } from './audit/audit-entry.orm-entity.js';

/** Tables owned by the platform itself. */
export const sharedEntities = [OutboxMessageOrmEntity, ApiCredentialOrmEntity, AuditEntryOrmEntity];
