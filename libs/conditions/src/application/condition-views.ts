import { type Decimal, inputPlaces } from '@tradedesk/shared';
import type { ConditionStatus } from '../domain/condition.types.js';
import type { ConditionState } from '../domain/condition.js';
import type { StoredTimelineLine } from './ports/condition-repository.js';
import { trailingTrigger } from '../domain/trailing.js';

export interface ConditionTimelineView {
  at: string;
  event: string;
  status: string;
  price: string | null;
  trigger: string | null;
  details: Record<string, unknown> | null;
}

export interface ConditionView {
  id: string;
  kind: string;
  status: ConditionStatus;
  version: number;
  accountId: string;
  exchange: string;
  symbol: string | null;
  source: string;
  watch: { accountId: string; symbol: string } | null;
  triggerPrice: string | null;
  stopLoss: { triggerPrice: string; status: string } | null;
  takeProfit: { triggerPrice: string; status: string } | null;
  trailPercent: string | null;
  trailAmount: string | null;
  activationPrice: string | null;
  highWaterMark: string | null;
  currentTrigger: string | null;
  amount: string | null;
  execution: { type: string; limitOffset?: string };
  /** bracket: `emulated` (tradedesk fires it) or `native` (a Binance OCO list resting at the exchange). */
  placement: 'emulated' | 'native';
  /** A native bracket's leg orders (GET /api/orders/:id), once its list is placed. */
  nativeOrders?: { stopLoss: string | null; takeProfit: string | null };
  onDowntime: string;
  when: unknown;
  then: unknown;
  expiresAt: string | null;
  firedLeg: string | null;
  /** How many times it fired (a recurring `time.every` rule fires once per occurrence). */
  firings: number;
  orderIds: string[];
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  timeline?: ConditionTimelineView[];
}

function legStatus(row: ConditionState, leg: 'stop' | 'take_profit'): string {
  if (!row.firedLeg) return row.status;
  return row.firedLeg === leg ? row.status : 'CANCELLED';
}

/** `roundPrice` shows a computed price (a trailing stop's current trigger) on its market's precision. */
export function toView(
  row: ConditionState,
  timeline?: StoredTimelineLine[],
  roundPrice: (price: Decimal) => Decimal = inputPlaces,
): ConditionView {
  const current = currentTrigger(row);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    version: row.version,
    accountId: row.accountId,
    exchange: row.exchange,
    symbol: row.symbol,
    source: row.source,
    watch:
      row.watchAccountId && (row.watchAccountId !== row.accountId || row.watchSymbol !== row.symbol)
        ? { accountId: row.watchAccountId, symbol: row.watchSymbol! }
        : null,
    triggerPrice: singleTrigger(row)?.toFixed() ?? null,
    ...bracketLegs(row),
    trailPercent: row.trailPercent?.toFixed() ?? null,
    trailAmount: row.trailAmount?.toFixed() ?? null,
    activationPrice: row.activationPrice?.toFixed() ?? null,
    highWaterMark: row.highWaterMark?.toFixed() ?? null,
    currentTrigger: current ? roundPrice(current).toFixed() : null,
    amount: row.amount,
    execution: { type: row.executionType, ...(row.limitOffset ? { limitOffset: row.limitOffset.toFixed() } : {}) },
    placement: row.placement ?? 'emulated',
    ...(row.placement === 'native' ? { nativeOrders: { stopLoss: row.stopOrderId, takeProfit: row.takeProfitOrderId } } : {}),
    onDowntime: row.onDowntime,
    when: row.whenTree ? (JSON.parse(row.whenTree) as unknown) : null,
    then: row.action ? actionView(row.action) : null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    firedLeg: row.firedLeg,
    firings: row.firings,
    orderIds: JSON.parse(row.orderIds) as string[],
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.changedAt.toISOString(),
    ...(timeline ? { timeline: timeline.map(timelineView) } : {}),
  };
}

/** A trailing stop's trigger now: below its high-water mark by its trail (none before activation). */
function currentTrigger(row: ConditionState): Decimal | null {
  if (row.kind !== 'trailing_stop' || !row.highWaterMark) return null;
  return trailingTrigger({ trailPercent: row.trailPercent ?? undefined, trailAmount: row.trailAmount ?? undefined }, row.highWaterMark);
}

/** The one trigger of a stop-loss or a take-profit (a bracket shows its legs instead). */
function singleTrigger(row: ConditionState): Decimal | null {
  if (row.kind === 'stop_loss') return row.stopPrice;
  if (row.kind === 'take_profit') return row.takeProfitPrice;
  return null;
}

function bracketLegs(row: ConditionState): Pick<ConditionView, 'stopLoss' | 'takeProfit'> {
  const bracket = row.kind === 'bracket';
  return {
    stopLoss: bracket && row.stopPrice ? { triggerPrice: row.stopPrice.toFixed(), status: legStatus(row, 'stop') } : null,
    takeProfit:
      bracket && row.takeProfitPrice ? { triggerPrice: row.takeProfitPrice.toFixed(), status: legStatus(row, 'take_profit') } : null,
  };
}

function timelineView(t: StoredTimelineLine): ConditionTimelineView {
  return {
    at: t.at.toISOString(),
    event: t.event,
    status: t.status,
    price: t.price?.toFixed() ?? null,
    trigger: t.trigger?.toFixed() ?? null,
    details: t.details ? (JSON.parse(t.details) as Record<string, unknown>) : null,
  };
}

/** A conditional's action as the request gave it: `{ order }`, or `{ template, overrides }` for an order template. */
function actionView(action: string): Record<string, unknown> {
  const parsed = JSON.parse(action) as Record<string, unknown>;
  if (typeof parsed.template === 'string') return { template: parsed.template, overrides: parsed.overrides ?? {} };
  return { order: parsed };
}
