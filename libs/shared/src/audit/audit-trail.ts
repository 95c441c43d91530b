import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../context/request-context.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { redact } from '../logging/redaction.js';
import { AuditEntryOrmEntity } from './audit-entry.orm-entity.js';

/**
 * What the audit log records. A new sensitive action (backup restored, webhook created or its
 * secret rotated, …) adds its name here and appends through AuditTrail.record in its own
 * transaction, or appendAuditEntry from a command-line tool.
 */
export const AUDIT_ACTIONS = [
  'account.created',
  'account.updated',
  'account.deleted',
  'api_token.rotated',
  'master_key.rotated',
  'log_level.changed',
  'hook.created',
  'hook.deleted',
  'backup.restored',
  'database.migrated_from_sqlite',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditActor = 'api' | 'cli' | 'system';

export interface AuditEntryInput {
  action: AuditAction;
  /** Who did it; `api` by default (a request with the bearer token). */
  actor?: AuditActor;
  subject?: { type: string; id: string };
  /** Facts worth keeping (names, modes, what changed); keys, secrets and tokens are redacted whatever their place. */
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  occurredAt: Date;
  action: string;
  actor: string;
  subject: { type: string; id: string } | null;
  requestId: string | null;
  clientIp: string | null;
  details: Record<string, unknown> | null;
}

/**
 * Appends an entry with the given manager, so it commits or rolls back with the action. The
 * request id and client address come from the request being served, if any.
 */
export async function appendAuditEntry(manager: EntityManager, entry: AuditEntryInput, occurredAt = new Date()): Promise<void> {
  const row = Object.assign(new AuditEntryOrmEntity(), {
    occurredAt,
    action: entry.action,
    actor: entry.actor ?? 'api',
    subjectType: entry.subject?.type ?? null,
    subjectId: entry.subject?.id ?? null,
    requestId: RequestContext.correlationId() ?? null,
    clientIp: RequestContext.clientIp() ?? null,
    details: entry.details ? redact(entry.details) : null,
  });
  await manager.save(AuditEntryOrmEntity, row);
}

export function toAuditEntry(row: AuditEntryOrmEntity): AuditEntry {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    action: row.action,
    actor: row.actor,
    subject: row.subjectType && row.subjectId ? { type: row.subjectType, id: row.subjectId } : null,
    requestId: row.requestId,
    clientIp: row.clientIp,
    details: row.details,
  };
}

/** The audit log of sensitive actions: appended to by every context, read at GET /api/audit. */
@Injectable()
export class AuditTrail {
  constructor(private readonly uow: UnitOfWork) {}

  /** Inside the action's own transaction: the entry exists if and only if the action committed. */
  record(manager: EntityManager, entry: AuditEntryInput): Promise<void> {
    return appendAuditEntry(manager, entry);
  }

  /** In a transaction of its own, for an action that has none (an effect outside the database). */
  append(entry: AuditEntryInput): Promise<void> {
    return this.uow.run(({ manager }) => appendAuditEntry(manager, entry));
  }

  /** Newest first. */
  async list(query: { limit: number; offset: number; action?: string }): Promise<{ items: AuditEntry[]; total: number }> {
    return this.uow.autocommit(async (manager) => {
      const [rows, total] = await manager.findAndCount(AuditEntryOrmEntity, {
        where: query.action ? { action: query.action } : {},
        order: { id: 'DESC' },
        take: query.limit,
        skip: query.offset,
      });
      return { items: rows.map(toAuditEntry), total };
    });
  }
}
