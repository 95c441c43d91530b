import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConditionEngine, type TickReport } from '../condition-engine.js';
import { ConditionsPulse } from '../conditions-pulse.js';
import { ConditionSettlement } from '../condition-settlement.js';
import { NativeBracketLifecycle } from '../native-bracket-lifecycle.js';

/** How many ticks between batched writes of high-water marks. */
const FLUSH_EVERY_TICKS = 5;
/** How often FIRED conditions are checked against their orders (catches an end missed by a crash). */
const STRAGGLER_SWEEP_MS = 10_000;

/**
 * The end of a tick, after its prices were evaluated: expiries, the conditionals that are due, and
 * the engine's housekeeping — high-water marks written in batches, FIRED conditions whose order
 * ended unnoticed settled. `maxQuoteAgeMs`: older prices do not count for a conditional.
 */
export class EvaluateDueConditionsCommand {
  constructor(
    readonly now = new Date(),
    readonly maxQuoteAgeMs = 10_000,
  ) {}
}

@CommandHandler(EvaluateDueConditionsCommand)
export class EvaluateDueConditionsHandler implements ICommandHandler<EvaluateDueConditionsCommand, TickReport> {
  private readonly logger = new Logger(EvaluateDueConditionsHandler.name);
  private ticks = 0;
  private lastSweepAt = 0;

  constructor(
    private readonly engine: ConditionEngine,
    private readonly settlement: ConditionSettlement,
    private readonly native: NativeBracketLifecycle,
    private readonly pulse: ConditionsPulse,
  ) {}

  async execute({ now, maxQuoteAgeMs }: EvaluateDueConditionsCommand): Promise<TickReport> {
    const report = await this.engine.evaluateTimeAndConditionals(now, maxQuoteAgeMs);
    if (++this.ticks % FLUSH_EVERY_TICKS === 0) await this.engine.flush();
    if (Date.now() - this.lastSweepAt >= STRAGGLER_SWEEP_MS) {
      this.lastSweepAt = Date.now();
      const settled = (await this.settlement.settleStragglers()) + (await this.native.settleStragglers());
      if (settled > 0) this.logger.log(`settled ${settled} fired condition(s) whose order had ended unnoticed`);
    }
    this.pulse.ticked();
    return report;
  }
}
