import type { ConditionKind } from '../../domain/condition.types.js';

/** The request shapes of api.md (types checked by the HTTP layer; the rules are checked by the use cases). */
export interface TriggerInput {
  triggerPrice?: string;
  triggerPercent?: string;
}

/** The request shapes of api.md (already checked for types by the HTTP layer; rules are checked here). */
export interface CreateConditionInput extends TriggerInput {
  kind: ConditionKind;
  accountId: string;
  symbol?: string;
  trailPercent?: string;
  trailAmount?: string;
  activationPrice?: string;
  amount?: string;
  execution?: { type?: string; limitOffset?: string };
  /** bracket: `emulated` (default, tradedesk fires it) or `native` (a Binance OCO list at the exchange). */
  placement?: string;
  source?: string;
  watch?: { exchange?: string; symbol?: string };
  onDowntime?: string;
  expiresAt?: string;
  allowImmediate?: boolean;
  stopLoss?: TriggerInput;
  takeProfit?: TriggerInput;
  when?: unknown;
  /** `{ order }` (an order spec) or `{ template, overrides }` (an order template's id and what it may override). */
  then?: { order?: Record<string, unknown>; template?: unknown; overrides?: unknown };
}

export interface AdjustConditionInput extends TriggerInput {
  /** `breakEven`: a stop moves to the average entry plus the fees paid and to be paid. */
  moveTo?: string;
  stopLoss?: TriggerInput & { moveTo?: string };
  takeProfit?: TriggerInput;
  amount?: string;
  trailPercent?: string;
  trailAmount?: string;
  expiresAt?: string;
  allowImmediate?: boolean;
}

export const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;

/** What every exit takes besides its trigger; a stop-loss and a take-profit take the same. */
const EXIT_FIELDS = ['amount', 'execution', 'source', 'watch', 'onDowntime', 'expiresAt', 'symbol'] as const;
const TRIGGERED_EXIT_FIELDS = ['triggerPrice', 'triggerPercent', 'allowImmediate', ...EXIT_FIELDS];

/** Fields each kind takes: anything else in the request is refused, not silently dropped. */
export const FIELDS_OF: Record<ConditionKind, readonly string[]> = {
  stop_loss: TRIGGERED_EXIT_FIELDS,
  take_profit: TRIGGERED_EXIT_FIELDS,
  trailing_stop: ['trailPercent', 'trailAmount', 'activationPrice', ...EXIT_FIELDS],
  bracket: ['stopLoss', 'takeProfit', 'placement', 'allowImmediate', ...EXIT_FIELDS],
  conditional: ['when', 'then', 'onDowntime', 'expiresAt'],
};
export const COMMON_FIELDS = ['kind', 'accountId'];
