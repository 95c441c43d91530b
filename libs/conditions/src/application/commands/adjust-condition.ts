import { CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
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
    onlyKnownKeys(input.stopLoss, ['triggerPrice', 'triggerPercent', 'moveTo'], 'stopLoss');
    onlyKnownKeys(input.takeProfit, ['triggerPrice', 'triggerPercent'], 'takeProfit');
    const gateway = await this.gateways.forAccount(row.accountId);
    const market = await gateway.market(row.symbol!);
    const grid = { market, gateway };
    const set: Partial<ConditionState> = {};
    // Named as the request names them (triggerPrice, stopLoss.triggerPrice…), with what was computed from a percentage.
    const changes: Record<string, { from: string | null; to: string; exact?: string; triggerPercent?: string; moveTo?: string }> = {};
    const position = await readPositionFacts(this.queries, row.accountId, row.symbol!);
    const entry = position.averageEntry;
    const resolve = async (t: AdjustTrigger | undefined, prefix: string, direction: -1 | 1): Promise<ResolvedTrigger | undefined> => {
      if (t?.moveTo === undefined) return resolveTrigger(t, prefix, direction, entry, grid);
      if (t.moveTo !== 'breakEven') invalid(`${prefix}moveTo`, 'must be breakEven');
      if (direction > 0) invalid(`${prefix}moveTo`, 'only a stop moves to break-even');
      if (t.triggerPrice !== undefined || t.triggerPercent !== undefined)
        invalid(`${prefix}moveTo`, 'give moveTo without triggerPrice or triggerPercent');
      if (!entry) invalid(`${prefix}moveTo`, 'there is no position with an average entry to break even on', 'CONDITION.NO_POSITION');
      return { ...(await breakEvenTrigger(entry, grid)), moveTo: 'breakEven' } as ResolvedTrigger & { moveTo: string };
    };
    const change = (field: string, from: Decimal | null, to: ResolvedTrigger & { moveTo?: string }) => {
      changes[field] = {
        from: from?.toFixed() ?? null,
        to: to.price.toFixed(),
        ...(to.exact ? { exact: inputPlaces(to.exact).toFixed() } : {}),
        ...(to.percent ? { triggerPercent: to.percent.toFixed() } : {}),
        ...(to.moveTo ? { moveTo: to.moveTo } : {}),
      };
    };
    let stop = row.stopPrice;
    let tp = row.takeProfitPrice;
    if (row.kind === 'stop_loss') {
      const t = await resolve(input, '', -1);
      if (t && !t.price.eq(stop ?? -1)) change('triggerPrice', stop, t);
      stop = t?.price ?? stop;
    }
    if (row.kind === 'take_profit') {
      if (input.moveTo !== undefined) invalid('moveTo', 'only a stop moves to break-even');
      const t = await resolve(input, '', 1);
      if (t && !t.price.eq(tp ?? -1)) change('triggerPrice', tp, t);
      tp = t?.price ?? tp;
    }
    if (row.kind === 'bracket') {
      const sl = await resolve(input.stopLoss, 'stopLoss.', -1);
      const tk = await resolve(input.takeProfit, 'takeProfit.', 1);
      if (sl && !sl.price.eq(stop ?? -1)) change('stopLoss.triggerPrice', stop, sl);
      if (tk && !tk.price.eq(tp ?? -1)) change('takeProfit.triggerPrice', tp, tk);
      stop = sl?.price ?? stop;
      tp = tk?.price ?? tp;
      if (stop && tp && stop.gte(tp))
        invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
    }
    if (row.kind !== 'bracket' && (input.stopLoss !== undefined || input.takeProfit !== undefined))
      invalid(input.stopLoss !== undefined ? 'stopLoss' : 'takeProfit', `does not apply to a ${row.kind}`);
    if (row.kind === 'bracket' || row.kind === 'trailing_stop')
      for (const field of ['triggerPrice', 'triggerPercent', 'moveTo'] as const)
        if (input[field] !== undefined)
          invalid(field, `does not apply to a ${row.kind}${row.kind === 'bracket' ? ' (use stopLoss / takeProfit)' : ''}`);
    if (row.kind !== 'trailing_stop' && (input.trailPercent !== undefined || input.trailAmount !== undefined))
      invalid(input.trailPercent !== undefined ? 'trailPercent' : 'trailAmount', `does not apply to a ${row.kind}`);
    if (input.trailPercent !== undefined && input.trailAmount !== undefined)
      invalid('trailPercent', 'give one of trailPercent or trailAmount');
    if (input.trailPercent !== undefined) {
      const trail = percent(input.trailPercent, 'trailPercent');
      set.trailPercent = trail;
      set.trailAmount = null;
      changes.trailPercent = { from: row.trailPercent?.toFixed() ?? null, to: trail.toFixed() };
    }
    if (input.trailAmount !== undefined) {
      const trail = positive(input.trailAmount, 'trailAmount');
      set.trailAmount = trail;
      set.trailPercent = null;
      changes.trailAmount = { from: row.trailAmount?.toFixed() ?? null, to: trail.toFixed() };
    }
    if (stop && !stop.eq(row.stopPrice ?? -1)) set.stopPrice = stop;
    if (tp && !tp.eq(row.takeProfitPrice ?? -1)) set.takeProfitPrice = tp;
    if (input.amount !== undefined) {
      const amount = parseAmount(input.amount);
      await checkExitAmount(amount, position, market, gateway);
      set.amount = amount;
      changes.amount = { from: row.amount, to: amount };
    }
    if (input.expiresAt !== undefined) {
      const expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
      if (expiresAt.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
      set.expiresAt = expiresAt;
      changes.expiresAt = { from: row.expiresAt?.toISOString() ?? null, to: expiresAt.toISOString() };
    }
    if (Object.keys(changes).length === 0) invalid('body', 'nothing to change');
    if ((set.stopPrice || set.takeProfitPrice) && !input.allowImmediate) {
      const observed = priceOf(
        await (await this.gateways.forAccount(row.watchAccountId!)).fetchTicker(row.watchSymbol!, { fresh: true }),
        row.source,
      );
      condition.checkNotCrossed(observed, { stopPrice: set.stopPrice ?? null, takeProfitPrice: set.takeProfitPrice ?? null });
    }
    await applyOrConflict(this.conditions, condition, condition.adjust(set, changes));
  }
}
