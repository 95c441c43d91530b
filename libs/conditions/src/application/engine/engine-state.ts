import type { Logger } from '@nestjs/common';
import type { Decimal } from '@tradedesk/shared';
import type { ConditionFacts } from '../../domain/condition.events.js';
import type { ConditionState } from '../../domain/condition.js';
import type { PriceSource } from '../../domain/condition.types.js';
import type { ExitTerms } from '../../domain/exit-order.js';
import type { BookHit, MarketTriggerBook } from '../../domain/trigger-book.js';
import type { WhenNode } from '../../domain/when-tree.js';

/** An ARMED condition as the engine holds it in memory. */
export interface Held {
  id: string;
  version: number;
  /** How many times it fired: its next order's idempotency key is numbered `firings + 1`. */
  firings: number;
  kind: ConditionState['kind'];
  accountId: string;
  exchange: string;
  symbol: string | null;
  /** Book key (watched account, symbol, source) for protective kinds. */
  bookKey?: string;
  /** A protective kind's exit (its size and execution) and the orders it placed so far (JSON). */
  exit?: ExitTerms & { orderIds: string };
  onDowntime: ConditionState['onDowntime'];
  expiresAt?: number;
  armedAt: Date;
  when?: WhenNode;
  memory?: Record<string, string>;
  /** Markets a conditional watches: key → (accountId, symbol). */
  markets?: Array<{ accountId: string; symbol: string; source: PriceSource; leafKey: string }>;
  /** A conditional's key in the next-due index (ms; 0 = evaluate at the next call). */
  dueAt?: number;
  loadedAtStart: boolean;
}

/** A trigger crossed in a tick, waiting to be fired. */
export interface Crossing {
  hit: BookHit;
  source: PriceSource;
  /** Crossed while no engine ran (the downtime policy applies). */
  downtime: boolean;
  /** When the price that crossed was read. */
  observedAt: Date;
}

/** One market's trigger book: the protective conditions watching one source of one market. */
export interface Book {
  accountId: string;
  symbol: string;
  source: PriceSource;
  book: MarketTriggerBook;
  observed: boolean;
}

export interface TickReport {
  markets: number;
  fired: number;
  expired: number;
  missed: number;
}

export type FiringResult = 'fired' | 'missed' | 'lost';

export function facts(h: Pick<Held, 'id' | 'kind' | 'accountId' | 'symbol'>, status: ConditionFacts['status']): ConditionFacts {
  return { conditionId: h.id, kind: h.kind, accountId: h.accountId, symbol: h.symbol, status };
}

/**
 * What the engine's parts (the mirror, the exit and intent firing, the conditional evaluation)
 * share about the conditions held in memory.
 */
export class EngineState {
  readonly held = new Map<string, Held>();
  /** Conditions whose firing transaction failed: reloaded from the database on the next sync. */
  readonly reload = new Set<string>();
  /** Conditions judged crossed-while-down whose firing failed: the retry keeps that verdict (and its policy). */
  readonly crossedWhileDown = new Set<string>();
  /** Trailing high-water marks moved since the last flush. */
  readonly pendingHighs = new Map<string, Decimal>();
  /** Conditionals whose crossing memory changed since the last flush. */
  readonly pendingMemory = new Set<string>();
  /** The first account of each exchange: what a `when` leaf on another exchange reads through. */
  accountsByExchange = new Map<string, string>();

  constructor(
    readonly logger: Logger,
    /** Forgets a held condition everywhere (books, indexes); set by the engine. */
    readonly drop: (id: string) => void,
  ) {}

  /** A failed transaction must not lose the condition: it is reloaded from the database next tick. */
  async guarded<T>(id: string, work: () => Promise<T>): Promise<T | 'error'> {
    try {
      return await work();
    } catch (error) {
      this.reload.add(id);
      this.logger.warn(`condition ${id}: transition failed, will re-evaluate: ${error instanceof Error ? error.message : String(error)}`);
      return 'error';
    }
  }
}
