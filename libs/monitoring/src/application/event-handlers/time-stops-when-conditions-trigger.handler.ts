import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ConditionTriggeredEvent } from '@tradedesk/conditions';
import { MonitoringConfig } from '../../monitoring.config.js';
import { StopLatency } from '../metrics/stop-latency.js';

/** Starts a trigger-to-acknowledgement measure: the price was seen crossing at `observedAt`. */
@EventsHandler(ConditionTriggeredEvent)
export class TimeStopsWhenConditionsTriggerHandler implements IEventHandler<ConditionTriggeredEvent> {
  constructor(
    private readonly latency: StopLatency,
    private readonly config: MonitoringConfig,
  ) {}

  handle(event: ConditionTriggeredEvent): void {
    if (!this.config.metricsEnabled) return;
    this.latency.triggered(event.condition.conditionId, event.condition.kind, event.observedAt);
  }
}
