import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ExchangeGateways, roundPrice } from '@tradedesk/exchanges';
import { type Decimal, NotFoundError } from '@tradedesk/shared';
import type { ConditionState } from '../../domain/condition.js';
import { type ConditionView, toView } from '../condition-views.js';
import { type ConditionFilter, ConditionRepository } from '../ports/condition-repository.js';

/** One condition with its timeline. */
export class GetConditionQuery {
  constructor(readonly conditionId: string) {}
}

export interface ConditionPage {
  items: ConditionView[];
  total: number;
  limit: number;
  offset: number;
}

/** Conditions, newest first (without their timelines). */
export class ListConditionsQuery {
  constructor(readonly filter: ConditionFilter) {}
}

/** How a computed price of a condition (a trailing stop's current trigger) is shown: on its watched market's precision. */
async function priceRounding(gateways: ExchangeGateways, state: ConditionState): Promise<((price: Decimal) => Decimal) | undefined> {
  if (state.kind !== 'trailing_stop' || !state.watchAccountId || !state.watchSymbol) return undefined;
  try {
    const market = await (await gateways.forAccount(state.watchAccountId)).market(state.watchSymbol);
    return (price) => roundPrice(price, market);
  } catch {
    // The account or market is gone: shown within the input limit instead.
    return undefined;
  }
}

@QueryHandler(GetConditionQuery)
export class GetConditionHandler implements IQueryHandler<GetConditionQuery, ConditionView> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly gateways: ExchangeGateways,
  ) {}

  async execute({ conditionId }: GetConditionQuery): Promise<ConditionView> {
    const found = await this.conditions.findWithTimeline(conditionId);
    if (!found) throw new NotFoundError('CONDITION.NOT_FOUND', `No condition ${conditionId}`, { conditionId });
    return toView(found.state, found.timeline, await priceRounding(this.gateways, found.state));
  }
}

@QueryHandler(ListConditionsQuery)
export class ListConditionsHandler implements IQueryHandler<ListConditionsQuery, ConditionPage> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly gateways: ExchangeGateways,
  ) {}

  async execute({ filter }: ListConditionsQuery): Promise<ConditionPage> {
    const { states, total } = await this.conditions.list(filter);
    const items = await Promise.all(states.map(async (s) => toView(s, undefined, await priceRounding(this.gateways, s))));
    return { items, total, limit: filter.limit, offset: filter.offset };
  }
}
