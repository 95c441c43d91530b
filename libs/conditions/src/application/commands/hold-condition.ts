import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { priceOf } from '../../domain/condition.types.js';
import { NativeBracketLifecycle } from '../native-bracket-lifecycle.js';
import { ConditionRepository } from '../ports/condition-repository.js';
import { applyOrConflict } from './apply-change.js';

/** A user hold: a PAUSED condition is not evaluated. */
export class PauseConditionCommand {
  constructor(readonly conditionId: string) {}
}

/** Back to ARMED; a trigger the price crossed meanwhile is refused unless `allowImmediate` (as at arming). */
export class ResumeConditionCommand {
  constructor(
    readonly conditionId: string,
    readonly allowImmediate = false,
  ) {}
}

/** ARMED or PAUSED (a recurring rule: also FIRED) → CANCELLED; a native bracket's list is cancelled at the exchange first. */
export class CancelConditionCommand {
  constructor(readonly conditionId: string) {}
}

@CommandHandler(PauseConditionCommand)
export class PauseConditionHandler implements ICommandHandler<PauseConditionCommand, void> {
  constructor(private readonly conditions: ConditionRepository) {}

  async execute({ conditionId }: PauseConditionCommand): Promise<void> {
    const condition = await this.conditions.load(conditionId);
    await applyOrConflict(this.conditions, condition, condition.pause());
  }
}

@CommandHandler(ResumeConditionCommand)
export class ResumeConditionHandler implements ICommandHandler<ResumeConditionCommand, void> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly gateways: ExchangeGateways,
  ) {}

  async execute({ conditionId, allowImmediate }: ResumeConditionCommand): Promise<void> {
    const condition = await this.conditions.load(conditionId);
    const { state } = condition;
    // The price now, not a cached one: the same check as arming.
    const observed =
      state.kind !== 'conditional' && state.status === 'PAUSED' && !condition.isNativeBracket
        ? priceOf(
            await (await this.gateways.forAccount(state.watchAccountId!)).fetchTicker(state.watchSymbol!, { fresh: true }),
            state.source,
          )
        : undefined;
    await applyOrConflict(this.conditions, condition, condition.resume(observed, allowImmediate));
  }
}

@CommandHandler(CancelConditionCommand)
export class CancelConditionHandler implements ICommandHandler<CancelConditionCommand, void> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly native: NativeBracketLifecycle,
  ) {}

  async execute({ conditionId }: CancelConditionCommand): Promise<void> {
    const condition = await this.conditions.load(conditionId);
    if (condition.isNativeBracket && condition.state.status === 'ARMED') return this.native.cancel(condition.state);
    await applyOrConflict(this.conditions, condition, condition.cancel());
  }
}
