import type { Decimal } from '@tradedesk/shared';
import type {
  AccountMode,
  CallOptions,
  ExchangeGateway,
  ExchangeId,
  OcoSellRequest,
  PlaceOrderRequest,
} from '../domain/exchange-gateway.js';

/** A market's order rules without the balance check (see `ExchangeGateways.orderRules`). */
export type OrderRules = (request: PlaceOrderRequest, referencePrice?: Decimal) => PlaceOrderRequest;

/** An exchange account as other contexts see it: never its keys. */
export interface ExchangeAccountSummary {
  id: string;
  exchange: ExchangeId;
  mode: AccountMode;
  label: string;
}

/**
 * How other contexts reach an exchange account (inject this class). Gateways returned here are
 * cached, rate-governed and translate every exchange error.
 */
export abstract class ExchangeGateways {
  /** The gateway of an account; NotFoundError `ACCOUNT.NOT_FOUND` for an unknown id. */
  abstract forAccount(accountId: string): Promise<ExchangeGateway>;

  abstract describeAccount(accountId: string): Promise<ExchangeAccountSummary>;

  abstract listAccounts(): Promise<ExchangeAccountSummary[]>;

  /**
   * Applies the exchange's rules locally before any exchange call: amount and price precision,
   * Upbit KRW price steps, minimum notional / minimum total, and a balance pre-check. Returns the
   * normalized request, or throws a ValidationError whose code names the rule
   * (`ORDER.BELOW_MIN_TOTAL`, `ORDER.BELOW_MIN_NOTIONAL`, `ORDER.INSUFFICIENT_BALANCE`, …).
   * `options.lane` puts its reads (balances, reference price) in the order's lane: a protective exit's
   * checks must not queue behind market data.
   */
  abstract validateOrder(accountId: string, request: PlaceOrderRequest, options?: CallOptions): Promise<PlaceOrderRequest>;

  /**
   * The same rules for one market without the balance check, as a synchronous function: for
   * shrinking an order that already passed `validateOrder` (an exit capped to what its position
   * still holds) inside a transaction, without an exchange call. `referencePrice` values a market
   * order for the minimum-notional rule.
   */
  abstract orderRules(accountId: string, symbol: string): Promise<OrderRules>;

  /**
   * The same local rules for a native OCO sell, leg by leg (precision, minimum notional of each
   * leg, the base balance, the take-profit above and the stop below the market); ValidationError
   * `ORDER.OCO_NOT_SUPPORTED` where the account's exchange cannot place one.
   */
  abstract validateOcoSell(accountId: string, request: OcoSellRequest, options?: CallOptions): Promise<OcoSellRequest>;

  /** Forget cached balances of an account (call it when one of its orders filled). */
  abstract invalidateBalances(accountId: string): Promise<void>;
}
