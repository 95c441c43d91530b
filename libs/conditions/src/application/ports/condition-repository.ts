import { NotFoundError, type TransactionScope } from '@tradedesk/shared';
import { Condition, type ConditionChange, type ConditionState, type TimelineEntry } from '../../domain/condition.js';
import type { ConditionKind, ConditionStatus } from '../../domain/condition.types.js';

/** A stored timeline line, as the views show it. */
export interface StoredTimelineLine {
  at: Date;
  event: string;
  status: string;
  price: TimelineEntry['price'];
  trigger: TimelineEntry['trigger'];
  /** JSON. */
  details: string | null;
}

export interface ConditionFilter {
  accountId?: string;
  status?: ConditionStatus;
  kind?: ConditionKind;
  symbol?: string;
  limit: number;
  offset: number;
}

/**
 * Where the use cases keep conditions (the port; TypeORM implements it). The firing path — the
 * engine's batched compare-and-sets inside the transaction that places orders — writes the same
 * rows through its own statements (ADR 0300).
 */
export abstract class ConditionRepository {
  abstract find(id: string): Promise<ConditionState | undefined>;

  abstract findWithTimeline(id: string): Promise<{ state: ConditionState; timeline: StoredTimelineLine[] } | undefined>;

  abstract list(filter: ConditionFilter): Promise<{ states: ConditionState[]; total: number }>;

  /**
   * Writes a decided change by compare-and-set at the version it was decided on, with its timeline
   * line, in one transaction. False when another writer got there first.
   */
  abstract apply(condition: Condition, change: ConditionChange): Promise<boolean>;

  /** Stores a newly armed condition with its first timeline line, and `alsoInTransaction`'s work (a native bracket's intent). */
  abstract insert<T>(
    state: ConditionState,
    entry: TimelineEntry,
    alsoInTransaction?: (tx: TransactionScope) => Promise<T>,
  ): Promise<T | undefined>;

  async load(id: string): Promise<Condition> {
    const state = await this.find(id);
    if (!state) throw new NotFoundError('CONDITION.NOT_FOUND', `No condition ${id}`, { conditionId: id });
    return new Condition(state);
  }
}
