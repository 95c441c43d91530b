/**
 * TEMPORARY (issue 13): the condition tick and the order poll as ConditionScheduler (libs/conditions)
 * and OrderTracker (libs/orders/src/application) still inject them. Nothing reads it from the
 * environment: apps/api assembles it from the namespaces that own the variables, ORDER_POLL_MS
 * (OrdersConfig) and TICK_MS (ConditionsConfig). Delete it once both inject those instead.
 */
export class SchedulerConfig {
  constructor(
    readonly tickMs: number,
    /** Follow-up poll of open orders. */
    readonly orderPollMs: number,
  ) {}
}
