import type { EnvReader } from '@tradedesk/shared';

/** The orders context's configuration namespace. */
export class OrdersConfig {
  constructor(
    /** ORDER_POLL_MS: follow-up poll of open orders. */
    readonly orderPollMs: number,
  ) {}

  static fromEnv(env: EnvReader): OrdersConfig {
    return new OrdersConfig(env.int('ORDER_POLL_MS', 2000, 50, 3_600_000));
  }
}
