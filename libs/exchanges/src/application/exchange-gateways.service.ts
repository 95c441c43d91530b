import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { dec, NotFoundError, ResilientCache, ValidationError } from '@tradedesk/shared';
import type {
  AccountMode,
  CallOptions,
  ExchangeGateway,
  ExchangeId,
  OcoSellRequest,
  PlaceOrderRequest,
} from '../domain/exchange-gateway.js';
import { normalizeOrder } from '../domain/order-rules.js';
import type { CcxtGateway } from '../infrastructure/ccxt/ccxt-gateway.js';
import type { ExchangeAccountOrmEntity } from '../infrastructure/persistence/exchange-account.orm-entity.js';
import { ExchangeAccountRepository } from '../infrastructure/persistence/exchange-account.repository.js';
import { AccountSecrets } from './account-secrets.js';
import { CallAvailability } from './call-availability.js';
import { CachedGateway } from './cached-gateway.js';
import { type ExchangeAccountSummary, ExchangeGateways, type OrderRules } from './exchange-gateways.js';
import { GatewayFactory } from './gateway-factory.js';
import { PaperExchange } from './paper/paper-exchange.js';
import { PaperGateway } from './paper/paper-gateway.js';

/** What an account's gateway is to the registry: the port, plus dropping what it caches of the account. */
export type AccountGateway = ExchangeGateway & { invalidateBalances(): Promise<void> };

interface Entry {
  gateway: AccountGateway;
  /** The ccxt adapter that talks to the exchange (for a paper account, its public side): call health, close. */
  inner: CcxtGateway;
  summary: ExchangeAccountSummary;
}

export function summaryOf(row: ExchangeAccountOrmEntity): ExchangeAccountSummary {
  return { id: row.id, exchange: row.exchange as ExchangeId, mode: row.mode as AccountMode, label: row.label };
}

/**
 * The registry of account gateways, built on first use: one cached, governed ccxt gateway per
 * account — for a paper account, its exchange's public data in front of the paper simulation.
 */
@Injectable()
export class ExchangeGatewaysService extends ExchangeGateways implements OnApplicationShutdown {
  private readonly logger = new Logger('ExchangeGateways');
  private readonly entries = new Map<string, Promise<Entry>>();

  constructor(
    private readonly accounts: ExchangeAccountRepository,
    private readonly secrets: AccountSecrets,
    private readonly factory: GatewayFactory,
    private readonly cache: ResilientCache,
    private readonly paper: PaperExchange,
    private readonly events: EventBus,
  ) {
    super();
  }

  async forAccount(accountId: string): Promise<ExchangeGateway> {
    return (await this.entry(accountId)).gateway;
  }

  /** With the adapter's call health (latency, last failure), for the health check. */
  async entryOf(accountId: string): Promise<Entry> {
    return this.entry(accountId);
  }

  /**
   * The account as its gateway was built from it (rebuilt after an update, gone after a delete):
   * no database read per order, and the same facts as the gateway that will carry the order.
   */
  async describeAccount(accountId: string): Promise<ExchangeAccountSummary> {
    return (await this.entry(accountId)).summary;
  }

  async listAccounts(): Promise<ExchangeAccountSummary[]> {
    return (await this.accounts.list()).map(summaryOf);
  }

  async validateOrder(accountId: string, request: PlaceOrderRequest, options?: CallOptions): Promise<PlaceOrderRequest> {
    const { gateway } = await this.entry(accountId);
    // An unknown market is a missing resource: the gateway's NotFoundError (404 MARKET.NOT_FOUND) goes through.
    const market = await gateway.market(request.symbol);
    const needsReference = request.type === 'market' && request.amount !== undefined;
    const [balances, ticker, fee] = await Promise.all([
      gateway.fetchBalances(options),
      needsReference ? gateway.fetchTicker(market.symbol, options) : undefined,
      // Upbit locks the fee with a bid: the free KRW must cover it too.
      request.side === 'buy' && gateway.exchange === 'upbit' ? gateway.fetchTradingFee(market.symbol) : undefined,
    ]);
    const referencePrice = ticker ? ((request.side === 'buy' ? ticker.ask : ticker.bid) ?? ticker.last) : undefined;
    return normalizeOrder(request, {
      exchange: gateway.exchange,
      market,
      capabilities: gateway.capabilities,
      balances,
      referencePrice,
      feeRate: fee?.taker ?? dec(0),
    });
  }

  async orderRules(accountId: string, symbol: string): Promise<OrderRules> {
    const { gateway } = await this.entry(accountId);
    const market = await gateway.market(symbol);
    const context = { exchange: gateway.exchange, market, capabilities: gateway.capabilities };
    return (request, referencePrice) => normalizeOrder(request, { ...context, ...(referencePrice ? { referencePrice } : {}) });
  }

  async validateOcoSell(accountId: string, request: OcoSellRequest, options?: CallOptions): Promise<OcoSellRequest> {
    const { gateway } = await this.entry(accountId);
    if (!gateway.capabilities.nativeOco || !gateway.createOcoSell)
      throw new ValidationError('ORDER.OCO_NOT_SUPPORTED', `${gateway.exchange} (${gateway.mode}) cannot place an OCO order list`, {
        field: 'placement',
      });
    const market = await gateway.market(request.symbol);
    const [balances, ticker] = await Promise.all([gateway.fetchBalances(options), gateway.fetchTicker(market.symbol, options)]);
    const context = { exchange: gateway.exchange, market, capabilities: gateway.capabilities };
    // Each leg is an order of the full amount at its own price: both must pass every rule alone.
    const leg = (price: (typeof request)['takeProfit']['price'], clientOrderId: string) =>
      normalizeOrder({ symbol: market.symbol, side: 'sell', type: 'limit', amount: request.amount, price, clientOrderId }, context);
    const takeProfit = leg(request.takeProfit.price, request.takeProfit.clientOrderId);
    const stopTrigger = leg(request.stopLoss.stopPrice, request.stopLoss.clientOrderId);
    const stopLimit = request.stopLoss.price ? leg(request.stopLoss.price, request.stopLoss.clientOrderId) : undefined;
    // The list reserves the amount once: one balance check for both legs.
    normalizeOrder(
      { symbol: market.symbol, side: 'sell', type: 'limit', amount: request.amount, price: takeProfit.price, clientOrderId: 'check' },
      { ...context, balances },
    );
    const last = ticker.last;
    if (!takeProfit.price!.gt(last) || !stopTrigger.price!.lt(last))
      throw new ValidationError(
        'ORDER.OCO_PRICES_INVALID',
        `An OCO sell needs its take-profit above and its stop below the last price ${last.toFixed()} (take-profit ${takeProfit.price!.toFixed()}, stop ${stopTrigger.price!.toFixed()})`,
        { last: last.toFixed() },
      );
    return {
      symbol: market.symbol,
      amount: takeProfit.amount!,
      listClientOrderId: request.listClientOrderId,
      takeProfit: { price: takeProfit.price!, clientOrderId: request.takeProfit.clientOrderId },
      stopLoss: {
        stopPrice: stopTrigger.price!,
        ...(stopLimit ? { price: stopLimit.price! } : {}),
        clientOrderId: request.stopLoss.clientOrderId,
      },
    };
  }

  async invalidateBalances(accountId: string): Promise<void> {
    const entry = this.entries.get(accountId);
    if (entry) await (await entry).gateway.invalidateBalances();
  }

  /** Drops an account's gateway (keys changed, account deleted). */
  async evict(accountId: string): Promise<void> {
    const entry = this.entries.get(accountId);
    this.entries.delete(accountId);
    if (entry) {
      const resolved = await entry.catch(() => undefined);
      await resolved?.gateway.invalidateBalances();
      await resolved?.inner.close().catch(() => undefined);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.entries.keys()];
    await Promise.all(all.map((id) => this.evict(id)));
  }

  /** Publishes the account's exchange availability from its gateway's calls (notifications listen). */
  private availabilityOf(summary: ExchangeAccountSummary): CallAvailability {
    const venue = { accountId: summary.id, exchange: summary.exchange, mode: summary.mode, label: summary.label };
    return new CallAvailability(venue, this.events);
  }

  private entry(accountId: string): Promise<Entry> {
    let entry = this.entries.get(accountId);
    if (!entry) {
      entry = this.build(accountId);
      this.entries.set(accountId, entry);
      entry.catch(() => this.entries.delete(accountId));
    }
    return entry;
  }

  private async build(accountId: string): Promise<Entry> {
    const row = await this.accounts.findById(accountId);
    if (!row) throw accountNotFound(accountId);
    const summary = summaryOf(row);
    const venueKey = this.factory.venueKey(summary.exchange, summary.mode);
    this.logger.debug(`gateway ready for account ${row.id} (${row.exchange}, ${row.mode})`);
    if (summary.mode === 'paper') {
      // A paper account has no keys to open: live public data in front of the simulated private side.
      const inner = this.factory.create(summary.exchange, 'paper', undefined, this.availabilityOf(summary));
      const marketData = new CachedGateway(inner, this.cache, venueKey, row.id);
      // Paper fills are simulated order by order: no native order lists there.
      const capabilities = { ...inner.capabilities, nativeOco: false };
      return { gateway: new PaperGateway(summary.exchange, capabilities, marketData, inner, this.paper, row.id), inner, summary };
    }
    const availability = this.availabilityOf(summary);
    const inner = this.factory.create(summary.exchange, summary.mode, this.secrets.open(row), availability);
    return { gateway: new CachedGateway(inner, this.cache, venueKey, row.id), inner, summary };
  }
}

export function accountNotFound(accountId: string): NotFoundError {
  return new NotFoundError('ACCOUNT.NOT_FOUND', `No exchange account ${accountId}`, { accountId });
}
