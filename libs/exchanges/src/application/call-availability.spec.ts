import type { EventBus } from '@nestjs/cqrs';
import { describe, expect, it } from 'vitest';
import { ExchangeRateLimited, ExchangeUnavailable } from '../domain/exchange.errors.js';
import { ExchangeCallFailedEvent, ExchangeCallSucceededEvent } from '../domain/exchange.events.js';
import { CallAvailability } from './call-availability.js';

function recorded(): { bus: EventBus; events: unknown[] } {
  const events: unknown[] = [];
  return { bus: { publish: (e: unknown) => events.push(e) } as unknown as EventBus, events };
}

const venue = { accountId: 'a1', exchange: 'binance' as const, mode: 'sim' as const, label: 'Binance (sim)' };

describe('CallAvailability', () => {
  it('publishes the first answer, every temporary failure with its count, and the success after them only', () => {
    const { bus, events } = recorded();
    const availability = new CallAvailability(venue, bus);
    availability.succeeded();
    availability.succeeded();
    availability.failed(new ExchangeUnavailable('503', { exchange: 'binance' }));
    availability.failed(new ExchangeRateLimited('429', { exchange: 'binance' }));
    availability.succeeded();
    availability.succeeded();
    expect(events.map((e) => (e as object).constructor.name)).toEqual([
      'ExchangeCallSucceededEvent',
      'ExchangeCallFailedEvent',
      'ExchangeCallFailedEvent',
      'ExchangeCallSucceededEvent',
    ]);
    const [, first, second, back] = events as [unknown, ExchangeCallFailedEvent, ExchangeCallFailedEvent, ExchangeCallSucceededEvent];
    expect([first.failuresInARow, first.rateLimited, second.failuresInARow, second.rateLimited]).toEqual([1, false, 2, true]);
    expect(back.failuresBefore).toBe(2);
    expect(back.venue).toEqual(venue);
  });
});
