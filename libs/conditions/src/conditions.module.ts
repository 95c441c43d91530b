import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExchangesModule } from '@tradedesk/exchanges';
import { OrdersModule } from '@tradedesk/orders';
import { ConditionEngine } from './application/condition-engine.js';
import { EvaluateDueConditionsHandler } from './application/commands/evaluate-due-conditions.js';
import { EvaluateTriggersHandler } from './application/commands/evaluate-triggers.js';
import { ConditionsPulse } from './application/conditions-pulse.js';
import { GetProtectionStatusHandler } from './application/queries/protection-status.query.js';
import { GetWatchedMarketsHandler } from './application/queries/watched-markets.query.js';
import { UnreadableMarkets } from './application/unreadable-markets.js';
import { AdjustConditionHandler } from './application/commands/adjust-condition.js';
import { ArmConditionHandler } from './application/commands/arm-condition.js';
import { CancelConditionHandler, PauseConditionHandler, ResumeConditionHandler } from './application/commands/hold-condition.js';
import { ConditionRepository } from './application/ports/condition-repository.js';
import { GetConditionHandler, ListConditionsHandler } from './application/queries/get-condition.query.js';
import { TypeOrmConditionRepository } from './infrastructure/persistence/typeorm-condition.repository.js';
import { ConditionOutcomes } from './application/condition-outcomes.js';
import { ConditionSettlement } from './application/condition-settlement.js';
import { ConditionIntentConsumer } from './application/consumers/condition-intent.consumer.js';
import { SettleConditionWhenOrderEndsHandler } from './application/event-handlers/settle-condition-when-order-ends.handler.js';
import { NativeBracketLifecycle } from './application/native-bracket-lifecycle.js';
import { SettleNativeBracketWhenLegEndsHandler } from './application/event-handlers/settle-native-bracket-when-leg-ends.handler.js';
import { ConditionsController } from './interface/http/conditions.controller.js';

/** Conditions: the trigger books fed with each tick's prices, and the exactly-once firing path. */
@Module({
  imports: [ExchangesModule, OrdersModule, TerminusModule],
  controllers: [ConditionsController],
  providers: [
    { provide: ConditionRepository, useClass: TypeOrmConditionRepository },
    ArmConditionHandler,
    AdjustConditionHandler,
    PauseConditionHandler,
    ResumeConditionHandler,
    CancelConditionHandler,
    GetConditionHandler,
    ListConditionsHandler,
    ConditionEngine,
    ConditionsPulse,
    UnreadableMarkets,
    EvaluateTriggersHandler,
    EvaluateDueConditionsHandler,
    GetWatchedMarketsHandler,
    GetProtectionStatusHandler,
    ConditionOutcomes,
    ConditionSettlement,
    ConditionIntentConsumer,
    SettleConditionWhenOrderEndsHandler,
    NativeBracketLifecycle,
    SettleNativeBracketWhenLegEndsHandler,
  ],
  exports: [ConditionEngine],
})
export class ConditionsModule {}
