import { randomUUID } from 'node:crypto';
import { ConflictError, type Decimal, ValidationError } from '@tradedesk/shared';
import type { ConditionKind, ConditionStatus, DowntimePolicy, PriceSource } from './condition.types.js';
import { isRecurring, parseWhen } from './when-tree.js';

/** A line of a condition's timeline: what happened, the status it left, the prices that caused it. */
export interface TimelineEntry {
  event: string;
  status: ConditionStatus;
  price?: Decimal | null;
  trigger?: Decimal | null;
  details?: Record<string, unknown>;
  at?: Date;
}

/** A condition as stored: what its rules read and what its changes write. */
export interface ConditionState {
  id: string;
  kind: ConditionKind;
  status: ConditionStatus;
  version: number;
  accountId: string;
  exchange: string;
  symbol: string | null;
  watchAccountId: string | null;
  watchSymbol: string | null;
  source: PriceSource;
  stopPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  activationPrice: Decimal | null;
  highWaterMark: Decimal | null;
  amount: string | null;
  executionType: 'market' | 'limit';
  limitOffset: Decimal | null;
  placement: 'emulated' | 'native';
  stopOrderId: string | null;
  takeProfitOrderId: string | null;
  onDowntime: DowntimePolicy;
  whenTree: string | null;
  action: string | null;
  memory: string | null;
  expiresAt: Date | null;
  firedLeg: string | null;
  firedTrigger: Decimal | null;
  firedPrice: Decimal | null;
  firings: number;
  lastOrderId: string | null;
  orderIds: string;
  failureReason: string | null;
  armedAt: Date;
  createdAt: Date;
  changedAt: Date;
}

/**
 * A change a condition's rules decided: written by compare-and-set (only from `from`, at the
 * version it was decided on), together with its timeline line, or not at all.
 */
export interface ConditionChange {
  from: readonly ConditionStatus[];
  set: Partial<ConditionState>;
  entry: TimelineEntry;
}

/** Statuses a user may still change. */
export const ADJUSTABLE: readonly ConditionStatus[] = ['ARMED', 'PAUSED'];

/**
 * The rules of a condition's user-driven life: pausing, resuming, adjusting and cancelling, and the
 * check that an armed trigger would not fire at once. Firing is the engine's: it changes a
 * condition by compare-and-set in the transaction that places its order.
 */
export class Condition {
  constructor(readonly state: ConditionState) {}

  /** A condition as armed: ARMED, version 1, nothing watched or fired yet; the caller fills its terms in. */
  static armed(
    kind: ConditionKind,
    account: { id: string; exchange: string },
    onDowntime: DowntimePolicy,
    expiresAt: Date | null,
    now: Date,
  ): ConditionState {
    return {
      id: randomUUID(),
      kind,
      status: 'ARMED',
      version: 1,
      accountId: account.id,
      exchange: account.exchange,
      symbol: null,
      watchAccountId: null,
      watchSymbol: null,
      source: 'last',
      stopPrice: null,
      takeProfitPrice: null,
      trailPercent: null,
      trailAmount: null,
      activationPrice: null,
      highWaterMark: null,
      amount: null,
      executionType: 'market',
      limitOffset: null,
      placement: 'emulated',
      stopOrderId: null,
      takeProfitOrderId: null,
      onDowntime,
      whenTree: null,
      action: null,
      memory: null,
      expiresAt,
      firedLeg: null,
      firedTrigger: null,
      firedPrice: null,
      firings: 0,
      lastOrderId: null,
      orderIds: '[]',
      failureReason: null,
      armedAt: now,
      createdAt: now,
      changedAt: now,
    };
  }

  get isNativeBracket(): boolean {
    return this.state.placement === 'native';
  }

  pause(): ConditionChange {
    this.refuseNative('paused');
    if (this.state.status !== 'ARMED') throw this.notIn('CONDITION.NOT_ARMED', 'ARMED');
    return { from: ['ARMED'], set: { status: 'PAUSED' }, entry: userEntry('paused', 'PAUSED') };
  }

  /** Back to ARMED; `observed` (the watched price now) must not have crossed a trigger unless `allowImmediate`. */
  resume(observed: Decimal | undefined, allowImmediate: boolean): ConditionChange {
    this.refuseNative('resumed');
    if (this.state.status !== 'PAUSED') throw this.notIn('CONDITION.NOT_PAUSED', 'PAUSED');
    if (observed && !allowImmediate) this.checkNotCrossed(observed);
    return {
      from: ['PAUSED'],
      set: { status: 'ARMED' },
      entry: userEntry('resumed', 'ARMED', observed ? { price: observed.toFixed() } : {}),
    };
  }

  /** ARMED or PAUSED → CANCELLED; a recurring rule also while its order works (FIRED): that order is left to finish. */
  cancel(): ConditionChange {
    const cancellable: ConditionStatus[] = this.isRecurring() ? [...ADJUSTABLE, 'FIRED'] : [...ADJUSTABLE];
    if (!cancellable.includes(this.state.status))
      throw new ConflictError('CONDITION.NOT_CANCELLABLE', `Condition ${this.state.id} is ${this.state.status}`, {
        conditionId: this.state.id,
      });
    return { from: cancellable, set: { status: 'CANCELLED' }, entry: userEntry('cancelled', 'CANCELLED') };
  }

  /** New terms for an ARMED or PAUSED exit; `changes` names them as the request did, for the timeline. */
  adjust(set: Partial<ConditionState>, changes: Record<string, unknown>): ConditionChange {
    this.assertAdjustable();
    return { from: ADJUSTABLE, set, entry: userEntry('adjusted', this.state.status, { changes }) };
  }

  assertAdjustable(): void {
    this.refuseNative('adjusted');
    if (!ADJUSTABLE.includes(this.state.status))
      throw new ConflictError('CONDITION.NOT_ADJUSTABLE', `Condition ${this.state.id} is ${this.state.status}`, {
        conditionId: this.state.id,
      });
    if (this.state.kind === 'conditional')
      throw new ValidationError('CONDITION.INVALID', 'kind: a conditional cannot be adjusted; cancel it and arm a new one', {
        field: 'kind',
      });
  }

  /**
   * A stop at or above the price, or a take-profit at or below it, would fire on the next tick:
   * refused unless the request says `allowImmediate` (arming, adjusting and resuming alike).
   */
  checkNotCrossed(observed: Decimal, terms: Pick<ConditionState, 'stopPrice' | 'takeProfitPrice'> = this.state): void {
    const bracket = this.state.kind === 'bracket';
    const refuse = (field: string, message: string) => {
      throw new ValidationError('CONDITION.WOULD_FIRE_IMMEDIATELY', `${field}: ${message}`, { field });
    };
    if (terms.stopPrice && observed.lte(terms.stopPrice))
      refuse(
        bracket ? 'stopLoss.triggerPrice' : 'triggerPrice',
        `the price ${observed.toFixed()} is already at or below the stop ${terms.stopPrice.toFixed()}; it would fire at once (allowImmediate: true to accept)`,
      );
    if (terms.takeProfitPrice && observed.gte(terms.takeProfitPrice))
      refuse(
        bracket ? 'takeProfit.triggerPrice' : 'triggerPrice',
        `the price ${observed.toFixed()} is already at or above the take-profit ${terms.takeProfitPrice.toFixed()}; it would fire at once (allowImmediate: true to accept)`,
      );
  }

  private isRecurring(): boolean {
    return (
      this.state.kind === 'conditional' &&
      this.state.whenTree !== null &&
      isRecurring(parseWhen(JSON.parse(this.state.whenTree), new Date(0)))
    );
  }

  /** A native bracket is an order list at the exchange: it is cancelled and armed again, never changed in place. */
  private refuseNative(what: string): void {
    if (this.isNativeBracket)
      throw new ConflictError(
        'CONDITION.NATIVE_NOT_ADJUSTABLE',
        `Condition ${this.state.id} is a native bracket resting at the exchange as an order list; it cannot be ${what} — cancel it and arm a new one`,
        { conditionId: this.state.id, placement: 'native' },
      );
  }

  private notIn(code: string, expected: ConditionStatus): ConflictError {
    return new ConflictError(code, `Condition ${this.state.id} is ${this.state.status}, not ${expected}`, { conditionId: this.state.id });
  }
}

function userEntry(event: string, status: ConditionStatus, details: Record<string, unknown> = {}): TimelineEntry {
  return { event, status, details: { cause: 'api', ...details } };
}
