import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ConditionEngine } from '../condition-engine.js';
import { UnreadableMarkets } from '../unreadable-markets.js';

/**
 * The markets the armed conditions watch, per account whose gateway reads them — after the
 * engine's mirror caught up with the database (rows armed, changed or fired by the API or another
 * instance since the last tick). Asked by the price poll once per tick.
 */
export class GetWatchedMarketsQuery {
  constructor(readonly now = new Date()) {}
}

/** accountId → symbols. */
export type WatchedMarkets = Map<string, string[]>;

@QueryHandler(GetWatchedMarketsQuery)
export class GetWatchedMarketsHandler implements IQueryHandler<GetWatchedMarketsQuery, WatchedMarkets> {
  constructor(
    private readonly engine: ConditionEngine,
    private readonly unreadable: UnreadableMarkets,
  ) {}

  async execute({ now }: GetWatchedMarketsQuery): Promise<WatchedMarkets> {
    await this.engine.sync(now);
    const watched = this.engine.watchedMarkets();
    this.unreadable.forgetUnwatched(watched);
    return new Map([...watched].map(([accountId, symbols]) => [accountId, [...symbols]]));
  }
}
