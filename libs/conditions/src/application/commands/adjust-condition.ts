import { CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { type ExchangeGateway, ExchangeGateways, type Market } from '@tradedesk/exchanges';
import { type Decimal, inputPlaces } from '@tradedesk/shared';
import type { ConditionState } from '../../domain/condition.js';
import { priceOf } from '../../domain/condition.types.js';
import {
  breakEvenTrigger,
  checkExitAmount,
  invalid,
  onlyKnownKeys,
  parseAmount,
  percent,
  positive,
  readPositionFacts,
  type ResolvedTrigger,
  resolveTrigger,
} from '../arming-checks.js';
import { ConditionRepository } from '../ports/condition-repository.js';
import { applyOrConflict } from './apply-change.js';
import type { AdjustConditionInput } from './condition-requests.js';

/** New terms for an armed (or paused) exit: its triggers, break-even, amount, trail or expiry. */
export class AdjustConditionCommand {
  constructor(
    readonly conditionId: string,
    readonly input: AdjustConditionInput,
    readonly now = new Date(),
  ) {}
}

type AdjustTrigger = { triggerPrice?: string; triggerPercent?: string; moveTo?: string };

/**
 * Every change is checked as arming checks it (a percentage from the average entry snapped onto
 * the grid, an amount against the position, a trigger the price already crossed) and lands as one
 * `adjusted` line naming the request's own fields with their old and new values.
 */
@CommandHandler(AdjustConditionCommand)
export class AdjustConditionHandler implements ICommandHandler<AdjustConditionCommand, void> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly gateways: ExchangeGateways,
    private readonly queries: QueryBus,
  ) {}

  async execute({ conditionId: id, input, now }: AdjustConditionCommand): Promise<void> {
    const condition = await this.conditions.load(id);
    condition.assertAdjustable();
    const row = condition.state;
    refuseInapplicable(input, row.kind);
    const gateway = await this.gateways.forAccount(row.accountId);
    const market = await gateway.market(row.symbol!);
    const position = await readPositionFacts(this.queries, row.accountId, row.symbol!);
    const change = new Adjustment(row);
    await change.triggers(input, position.averageEntry, { market, gateway });
    change.trail(input);
    if (input.amount !== undefined) {
      const amount = parseAmount(input.amount);
      await checkExitAmount(amount, position, market, gateway);
      change.record('amount', { amount }, { from: row.amount, to: amount });
    }
    if (input.expiresAt !== undefined) change.expiry(input.expiresAt, now);
    if (Object.keys(change.changes).length === 0) invalid('body', 'nothing to change');
    const { set } = change;
    if ((set.stopPrice || set.takeProfitPrice) && !input.allowImmediate) {
      const watched = await this.gateways.forAccount(row.watchAccountId!);
      const observed = priceOf(await watched.fetchTicker(row.watchSymbol!, { fresh: true }), row.source);
      condition.checkNotCrossed(observed, { stopPrice: set.stopPrice ?? null, takeProfitPrice: set.takeProfitPrice ?? null });
    }
    await applyOrConflict(this.conditions, condition, condition.adjust(set, change.changes));
  }
}

/** A field the request may change, with its old and new value and, for a computed trigger, how it was computed. */
interface Change {
  from: string | null;
  to: string;
  exact?: string;
  triggerPercent?: string;
  moveTo?: string;
}

/** What a kind of condition cannot be adjusted with. */
const NOT_ADJUSTABLE: Record<ConditionState['kind'], readonly (keyof AdjustConditionInput)[]> = {
  stop_loss: ['stopLoss', 'takeProfit', 'trailPercent', 'trailAmount'],
  take_profit: ['stopLoss', 'takeProfit', 'trailPercent', 'trailAmount', 'moveTo'],
  trailing_stop: ['stopLoss', 'takeProfit', 'triggerPrice', 'triggerPercent', 'moveTo'],
  bracket: ['triggerPrice', 'triggerPercent', 'moveTo', 'trailPercent', 'trailAmount'],
  conditional: [],
};

/** Fields a kind does not have are refused, naming them, before anything is computed. */
function refuseInapplicable(input: AdjustConditionInput, kind: ConditionState['kind']): void {
  onlyKnownKeys(input.stopLoss, ['triggerPrice', 'triggerPercent', 'moveTo'], 'stopLoss');
  onlyKnownKeys(input.takeProfit, ['triggerPrice', 'triggerPercent'], 'takeProfit');
  const field = NOT_ADJUSTABLE[kind].find((f) => input[f] !== undefined);
  if (field === 'moveTo') invalid(field, 'only a stop moves to break-even');
  if (field) invalid(field, `does not apply to a ${kind}${kind === 'bracket' ? ' (use stopLoss / takeProfit)' : ''}`);
  if (input.trailPercent !== undefined && input.trailAmount !== undefined)
    invalid('trailPercent', 'give one of trailPercent or trailAmount');
}

/**
 * The new terms being built, and the changes named as the request names them (triggerPrice,
 * stopLoss.triggerPrice…) with what was computed from a percentage or a break-even.
 */
class Adjustment {
  readonly set: Partial<ConditionState> = {};
  readonly changes: Record<string, Change> = {};

  constructor(private readonly row: ConditionState) {}

  record(field: string, set: Partial<ConditionState>, change: Change): void {
    Object.assign(this.set, set);
    this.changes[field] = change;
  }

  async triggers(
    input: AdjustConditionInput,
    entry: Decimal | undefined,
    grid: { market: Market; gateway: ExchangeGateway },
  ): Promise<void> {
    const { kind } = this.row;
    if (kind === 'stop_loss') this.trigger('triggerPrice', 'stopPrice', await resolveAdjusted(input, '', -1, entry, grid));
    if (kind === 'take_profit') this.trigger('triggerPrice', 'takeProfitPrice', await resolveAdjusted(input, '', 1, entry, grid));
    if (kind !== 'bracket') return;
    this.trigger('stopLoss.triggerPrice', 'stopPrice', await resolveAdjusted(input.stopLoss, 'stopLoss.', -1, entry, grid));
    this.trigger('takeProfit.triggerPrice', 'takeProfitPrice', await resolveAdjusted(input.takeProfit, 'takeProfit.', 1, entry, grid));
    const stop = this.set.stopPrice ?? this.row.stopPrice;
    const target = this.set.takeProfitPrice ?? this.row.takeProfitPrice;
    if (stop && target && stop.gte(target))
      invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
  }

  trail(input: AdjustConditionInput): void {
    if (input.trailPercent !== undefined) {
      const trail = percent(input.trailPercent, 'trailPercent');
      this.record(
        'trailPercent',
        { trailPercent: trail, trailAmount: null },
        { from: this.row.trailPercent?.toFixed() ?? null, to: trail.toFixed() },
      );
    }
    if (input.trailAmount !== undefined) {
      const trail = positive(input.trailAmount, 'trailAmount');
      this.record(
        'trailAmount',
        { trailAmount: trail, trailPercent: null },
        { from: this.row.trailAmount?.toFixed() ?? null, to: trail.toFixed() },
      );
    }
  }

  expiry(value: string, now: Date): void {
    const expiresAt = new Date(value);
    if (Number.isNaN(expiresAt.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
    if (expiresAt.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
    this.record('expiresAt', { expiresAt }, { from: this.row.expiresAt?.toISOString() ?? null, to: expiresAt.toISOString() });
  }

  private trigger(field: string, column: 'stopPrice' | 'takeProfitPrice', to: (ResolvedTrigger & { moveTo?: string }) | undefined): void {
    const from = this.row[column];
    if (!to || (from && to.price.eq(from))) return;
    this.record(
      field,
      { [column]: to.price },
      {
        from: from?.toFixed() ?? null,
        to: to.price.toFixed(),
        ...(to.exact ? { exact: inputPlaces(to.exact).toFixed() } : {}),
        ...(to.percent ? { triggerPercent: to.percent.toFixed() } : {}),
        ...(to.moveTo ? { moveTo: to.moveTo } : {}),
      },
    );
  }
}

/** A trigger as the request gives it: a price, a percentage from the average entry, or `moveTo: breakEven` (a stop only). */
async function resolveAdjusted(
  t: AdjustTrigger | undefined,
  prefix: string,
  direction: -1 | 1,
  entry: Decimal | undefined,
  grid: { market: Market; gateway: ExchangeGateway },
): Promise<(ResolvedTrigger & { moveTo?: string }) | undefined> {
  if (t?.moveTo === undefined) return resolveTrigger(t, prefix, direction, entry, grid);
  if (t.moveTo !== 'breakEven') invalid(`${prefix}moveTo`, 'must be breakEven');
  if (direction > 0) invalid(`${prefix}moveTo`, 'only a stop moves to break-even');
  if (t.triggerPrice !== undefined || t.triggerPercent !== undefined)
    invalid(`${prefix}moveTo`, 'give moveTo without triggerPrice or triggerPercent');
  if (!entry) invalid(`${prefix}moveTo`, 'there is no position with an average entry to break even on', 'CONDITION.NO_POSITION');
  return { ...(await breakEvenTrigger(entry, grid)), moveTo: 'breakEven' };
}
