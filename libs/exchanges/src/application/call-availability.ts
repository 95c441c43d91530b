import type { EventBus } from '@nestjs/cqrs';
import type { ExchangeError } from '../domain/exchange.errors.js';
import { ExchangeCallFailedEvent, ExchangeCallSucceededEvent, type ExchangeVenueFacts } from '../domain/exchange.events.js';
import { ExchangeRateLimited } from '../domain/exchange.errors.js';
import type { CallObserver } from '../infrastructure/ccxt/ccxt-gateway.js';

/**
 * Turns one account's call outcomes into availability events: every temporary failure, and a
 * success only when it follows failures or is the gateway's first answer — so a steady exchange
 * costs no event per call, and a listener that restarted learns the exchange answers again.
 */
export class CallAvailability implements CallObserver {
  private failuresInARow = 0;
  private answered = false;

  constructor(
    private readonly venue: ExchangeVenueFacts,
    private readonly events: EventBus,
  ) {}

  succeeded(): void {
    if (this.answered && this.failuresInARow === 0) return;
    const before = this.failuresInARow;
    this.answered = true;
    this.failuresInARow = 0;
    this.events.publish(new ExchangeCallSucceededEvent(this.venue, before, new Date()));
  }

  failed(error: ExchangeError): void {
    this.failuresInARow += 1;
    this.events.publish(
      new ExchangeCallFailedEvent(this.venue, error.message, error instanceof ExchangeRateLimited, this.failuresInARow, new Date()),
    );
  }
}
