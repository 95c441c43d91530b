import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Quote } from '../../domain/condition.types.js';
import { ConditionEngine, type TickReport } from '../condition-engine.js';
import { UnreadableMarkets } from '../unreadable-markets.js';

/**
 * One account's prices of this tick: evaluate the trigger books of its markets (and fire what they
 * cross). `unreadable` names the watched markets the read could not answer for, with why.
 */
export class EvaluateTriggersCommand {
  constructor(
    readonly accountId: string,
    readonly quotes: Record<string, Quote>,
    readonly unreadable: ReadonlyArray<{ symbol: string; reason: string }> = [],
    readonly observedAt = new Date(),
  ) {}
}

@CommandHandler(EvaluateTriggersCommand)
export class EvaluateTriggersHandler implements ICommandHandler<EvaluateTriggersCommand, TickReport> {
  constructor(
    private readonly engine: ConditionEngine,
    private readonly markets: UnreadableMarkets,
  ) {}

  execute({ accountId, quotes, unreadable, observedAt }: EvaluateTriggersCommand): Promise<TickReport> {
    for (const { symbol, reason } of unreadable) this.markets.unreadable(accountId, symbol, reason);
    for (const symbol of Object.keys(quotes)) this.markets.read(accountId, symbol);
    return this.engine.observe(accountId, quotes, observedAt);
  }
}
