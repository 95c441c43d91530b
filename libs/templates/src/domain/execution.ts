import type { Decimal } from '@tradedesk/shared';
import type { ExitRole } from './exit-plan.js';
import type { ExitsDefinition, SizeDefinition } from './template-definition.js';

/**
 * api.md: `pending` (the entry is placed or being placed), `entry_filled` (it filled; exits being
 * armed — final when the template has none), `exits_armed`, `failed` (nothing filled, or an exit
 * could not be armed: `failureReason` says which).
 */
export type ExecutionStatus = 'pending' | 'entry_filled' | 'exits_armed' | 'failed';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['pending', 'entry_filled', 'exits_armed', 'failed'];
export type ExecutionSource = 'api' | 'webhook' | 'condition';

/** `planned` (its condition id chosen, not armed yet), `armed`, `filled` (its order sold), `cancelled`, `failed`. */
export type ExitStatus = 'planned' | 'armed' | 'filled' | 'cancelled' | 'failed';

/** What may differ from the template at execution: the account, the market, the size (and a webhook's side). */
export interface ExecutionOverrides {
  accountId?: string;
  symbol?: string;
  side?: 'buy' | 'sell';
  size?: SizeDefinition;
}

/** What an execution keeps of its plan: the entry as asked, and the exit terms of the template version it used. */
export interface ExecutionPlanRecord {
  entry: {
    type: 'market' | 'limit';
    amount?: string;
    cost?: string;
    price?: string;
    expectedPrice: string;
    /** A limit entry still open this long after it was placed is cancelled. */
    expiresAfterMs?: number;
  };
  exits: ExitsDefinition | null;
  overrides: ExecutionOverrides;
  base: string;
  quote: string;
}

/** An exit as the saga sees it. */
export interface ExitState {
  conditionId: string;
  role: ExitRole;
  rung: number;
  amount: Decimal;
  status: ExitStatus;
}

/** What the saga does to the armed exits to bring them in line with what has been sold. */
export type ExitAction =
  | { kind: 'cancel'; conditionId: string }
  | { kind: 'resize'; conditionId: string; amount: Decimal }
  | { kind: 'break-even'; conditionId: string };

/**
 * Once one exit sold, the others follow: a stop or trailing stop that sold (or take-profits that
 * sold everything) closes the execution — every exit still armed is cancelled; otherwise the stop
 * and the trailing stop shrink to what is left, and after the first take-profit the stop moves to
 * break-even when the template says so. The actions are computed from the state, not from the
 * event that arrived, so running them again or late does no harm.
 */
export function exitActions(
  state: { received: Decimal; sold: Decimal; breakEvenAfterFirstTarget: boolean; breakEvenMoved: boolean },
  exits: readonly ExitState[],
): { closed: boolean; actions: ExitAction[] } {
  const armed = exits.filter((e) => e.status === 'armed');
  const targets = exits.filter((e) => e.role === 'take_profit');
  const remaining = state.received.minus(state.sold);
  const closed =
    remaining.lte(0) ||
    exits.some((e) => e.role !== 'take_profit' && e.status === 'filled') ||
    (targets.length > 0 && targets.every((e) => e.status === 'filled'));
  if (closed) return { closed, actions: armed.map((e) => ({ kind: 'cancel', conditionId: e.conditionId })) };
  const actions: ExitAction[] = [];
  for (const exit of armed)
    if (exit.role !== 'take_profit' && !exit.amount.eq(remaining))
      actions.push({ kind: 'resize', conditionId: exit.conditionId, amount: remaining });
  const targetFilled = targets.some((e) => e.status === 'filled');
  const stop = armed.find((e) => e.role === 'stop_loss');
  if (state.breakEvenAfterFirstTarget && targetFilled && !state.breakEvenMoved && stop)
    actions.push({ kind: 'break-even', conditionId: stop.conditionId });
  return { closed, actions };
}
