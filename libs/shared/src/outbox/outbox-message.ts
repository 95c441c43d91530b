/** An outbox message as handlers see it, and the rows the outbox writes for one. */
import { randomUUID } from 'node:crypto';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { OutboxMessageOrmEntity } from './outbox-message.orm-entity.js';

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Handles one topic. Must be idempotent: a message can be delivered more than once. */
export type OutboxHandler = (message: OutboxMessage) => Promise<void>;

/** Thrown by a handler to say "try again later" without counting towards the dead-letter limit. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

export interface EnqueueOptions {
  priority?: number;
  id?: string;
  /** Not before this time. */
  availableAt?: Date;
}

export interface ClaimedMessage extends OutboxMessage {
  priority: number;
}

/** A new message's row: pending, no attempt yet, claimed by its writer when `claimedUntil` is set. */
export function pendingRow(
  topic: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions,
  claimedUntil: Date | null,
): OutboxMessageOrmEntity {
  const now = new Date();
  return Object.assign(new OutboxMessageOrmEntity(), {
    id: options.id ?? randomUUID(),
    topic,
    payload,
    priority: options.priority ?? 100,
    status: 'pending',
    attempts: 0,
    availableAt: options.availableAt ?? now,
    claimedUntil,
    lastError: null,
    createdAt: now,
    processedAt: null,
  });
}

/** What a message's row becomes once its work is done. */
export function doneNow(): QueryDeepPartialEntity<OutboxMessageOrmEntity> {
  return { status: 'done', processedAt: new Date(), claimedUntil: null, lastError: null };
}
