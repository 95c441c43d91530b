import { Injectable } from '@nestjs/common';
import { ExchangeUnavailable } from '../domain/exchange.errors.js';
import type { ExchangeId } from '../domain/exchange-gateway.js';

/** Where the emulator answers, once sim mode has started it (or found it at SIM_URL). */
@Injectable()
export class SimEndpoint {
  url: string | undefined;

  require(exchange: ExchangeId): string {
    if (!this.url) {
      throw new ExchangeUnavailable(
        'The exchange emulator is not running (start tradedesk with SIM=on, or set SIM_URL) — sim accounts cannot reach it',
        {
          exchange,
        },
      );
    }
    return this.url;
  }
}
