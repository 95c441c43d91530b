import { DomainEvent } from '@tradedesk/shared';
import type { AccountMode, ExchangeId } from './exchange-gateway.js';

/** The account whose calls an availability event is about; never its keys. */
export interface ExchangeVenueFacts {
  accountId: string;
  exchange: ExchangeId;
  mode: AccountMode;
  label: string;
}

/**
 * A call to an exchange failed for a temporary reason (network, timeout, 5xx, maintenance, rate
 * limit) after its retries. Published for each such call, so a listener can count them in a row;
 * refusals of a request (invalid order, insufficient funds) are answers, not outages, and are not.
 */
export class ExchangeCallFailedEvent extends DomainEvent {
  constructor(
    readonly venue: ExchangeVenueFacts,
    /** The translated error's message (it never holds a key). */
    readonly reason: string,
    readonly rateLimited: boolean,
    /** Calls of this account that failed since its last success, this one included. */
    readonly failuresInARow: number,
    readonly at: Date,
  ) {
    super();
  }
}

/**
 * A call succeeded after failures, or the first call of an account's gateway (built at start and
 * after a key change) succeeded: the exchange answers. Not published for every call.
 */
export class ExchangeCallSucceededEvent extends DomainEvent {
  constructor(
    readonly venue: ExchangeVenueFacts,
    /** Failed calls just before this success (0 for a gateway's first call). */
    readonly failuresBefore: number,
    readonly at: Date,
  ) {
    super();
  }
}
