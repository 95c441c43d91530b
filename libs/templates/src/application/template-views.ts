import type { Decimal } from '@tradedesk/shared';
import type { PlannedExit } from '../domain/exit-plan.js';
import type { TemplateDefinition } from '../domain/template-definition.js';
import type { StoredExecution } from '../infrastructure/persistence/execution.repository.js';
import type { TemplateExecutionOrmEntity } from '../infrastructure/persistence/template-execution.orm-entity.js';
import type { StoredTemplate } from '../infrastructure/persistence/template.repository.js';
import type { PlannedExecution } from './planning/execution-planner.js';

export type TemplateView = TemplateDefinition & {
  id: string;
  /** The version shown; `currentVersion` is the one an execution uses now. */
  version: number;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export function templateView(t: StoredTemplate): TemplateView {
  return {
    id: t.id,
    version: t.shownVersion,
    currentVersion: t.version,
    ...t.definition,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    deletedAt: t.deletedAt?.toISOString() ?? null,
  };
}

export interface ExitView {
  role: string;
  rung: number;
  amount: string;
  triggerPrice: string | null;
  trailPercent: string | null;
  activationPrice: string | null;
  execution: unknown;
}

function exitView(e: PlannedExit): ExitView & { offsetPercent?: string; sizePercent?: string } {
  return {
    role: e.role,
    rung: e.rung,
    amount: e.amount.toFixed(),
    triggerPrice: e.triggerPrice?.toFixed() ?? null,
    trailPercent: e.trailPercent?.toFixed() ?? null,
    activationPrice: e.activationPrice?.toFixed() ?? null,
    execution: e.execution ?? { type: 'market' },
    ...(e.offsetPercent ? { offsetPercent: e.offsetPercent } : {}),
    ...(e.sizePercent ? { sizePercent: e.sizePercent } : {}),
  };
}

/** What preview answers: the concrete orders the template would place now, what they cost, and what stands in the way. */
export function previewView(template: StoredTemplate, plan: PlannedExecution) {
  const { target, entry, order, estimate } = plan;
  const sent = order ?? entry;
  return {
    templateId: template.id,
    version: template.version,
    accountId: target.account.id,
    exchange: target.account.exchange,
    symbol: target.market.symbol,
    side: target.terms.side,
    entry: {
      type: entry.type,
      amount: sent.amount?.toFixed() ?? null,
      cost: sent.cost?.toFixed() ?? null,
      price: sent.price?.toFixed() ?? null,
      expectedPrice: entry.expectedPrice.toFixed(),
    },
    estimate: {
      price: estimate.price.toFixed(),
      amount: estimate.amount.toFixed(),
      cost: estimate.cost.toFixed(),
      fee: estimate.fee.toFixed(),
      feeCurrency: estimate.feeCurrency,
      received: estimate.received.toFixed(),
      paid: estimate.paid.toFixed(),
    },
    exits: plan.exits.map(exitView),
    riskReward: riskReward(estimate.price, plan.exits),
    warnings: plan.warnings,
    executable: plan.blocking === undefined,
  };
}

/**
 * Reward over risk from the expected fill: the take-profits' amount-weighted gain over the
 * stop-loss's loss, both per coin; null without a stop and a take-profit.
 */
function riskReward(price: Decimal, exits: PlannedExit[]): string | null {
  const stop = exits.find((e) => e.role === 'stop_loss');
  const targets = exits.filter((e) => e.role === 'take_profit');
  if (!stop || targets.length === 0) return null;
  const risk = price.minus(stop.triggerPrice!);
  if (risk.lte(0)) return null;
  const amount = targets.reduce((sum, t) => sum.plus(t.amount), price.times(0));
  if (amount.isZero()) return null;
  const reward = targets.reduce((sum, t) => sum.plus(t.triggerPrice!.minus(price).times(t.amount)), price.times(0)).div(amount);
  return reward.div(risk).toDecimalPlaces(2).toFixed();
}

/** api.md: `{ id, templateId, version, status, orderId, conditionIds }`, with the fill, each exit and the timeline. */
export function executionView({ row, exits, events }: StoredExecution) {
  return {
    ...executionSummary(row),
    conditionIds: exits.filter((e) => e.status !== 'planned' && e.status !== 'failed').map((e) => e.conditionId),
    exits: exits.map((e) => ({
      conditionId: e.conditionId,
      status: e.status,
      role: e.role,
      rung: e.rung,
      amount: e.amount.toFixed(),
      triggerPrice: e.triggerPrice?.toFixed() ?? null,
      trailPercent: e.trailPercent?.toFixed() ?? null,
      activationPrice: e.activationPrice?.toFixed() ?? null,
      sold: e.sold?.toFixed() ?? null,
      reason: e.reason,
    })),
    timeline: events.map((e) => ({ at: e.at.toISOString(), event: e.event, details: e.details })),
  };
}

export function executionSummary(row: TemplateExecutionOrmEntity) {
  return {
    id: row.id,
    templateId: row.templateId,
    version: row.templateVersion,
    status: row.status,
    source: row.source,
    sourceId: row.sourceId,
    accountId: row.accountId,
    exchange: row.exchange,
    symbol: row.symbol,
    side: row.side,
    orderId: row.orderId,
    entry: {
      ...row.plan.entry,
      filled: row.filled?.toFixed() ?? null,
      average: row.average?.toFixed() ?? null,
      received: row.received?.toFixed() ?? null,
      paid: row.paid?.toFixed() ?? null,
    },
    sold: row.sold?.toFixed() ?? null,
    breakEvenMoved: row.breakEvenMoved,
    closedAt: row.closedAt?.toISOString() ?? null,
    failure: row.failureCode ? { code: row.failureCode, reason: row.failureReason } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
