import { dec } from '@tradedesk/shared';
import { ccxtUrlsFor } from '@tradedesk/exchange-sim-client';
import ccxt, { type Exchange, type MarketInterface as CcxtMarket, type Order as CcxtOrder } from 'ccxt';
import type {
  CallOptions,
  ExchangeCapabilities,
  ExchangeOrderList,
  KeyPermissions,
  Market,
  OcoSellRequest,
  PlaceOrderRequest,
  TradingFee,
} from '../../domain/exchange-gateway.js';
import { RateGovernor, type BudgetSpec } from '../rate/rate-governor.js';
import { CcxtGateway, type CallName, type CcxtGatewayOptions } from './ccxt-gateway.js';
import { optionalDec } from './ccxt-mapping.js';

export const BINANCE_CAPABILITIES: ExchangeCapabilities = {
  nativeStopLoss: true,
  nativeOco: true,
  marketBuyByCost: true,
  priceStepRule: 'tick-size',
  orderRateBudget: { orders: 100, windowMs: 10_000 },
  clientOrderIdReuse: 'after-order-done',
  quoteCurrencies: ['USDT'],
  tickerBidAsk: true,
};

/** Binance's published defaults; exchangeInfo `rateLimits` replaces them once markets load. */
export const BINANCE_BUDGETS: Record<string, BudgetSpec> = {
  weight: { limit: 6000, windowMs: 60_000 },
  orders: { limit: 100, windowMs: 10_000 },
  ordersDay: { limit: 200_000, windowMs: 86_400_000 },
};

const INTERVAL_MS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** What Binance answers to an OCO order list (the fields read here). */
interface OcoAnswer {
  orderListId?: number | string;
  listClientOrderId?: string;
  orderReports?: Array<Record<string, unknown>>;
}

function depthWeight(depth: number): number {
  if (depth <= 100) return 5;
  if (depth <= 500) return 25;
  if (depth <= 1000) return 50;
  return 250;
}

/** Binance Spot (USDT markets) on ccxt: `newClientOrderId`, quoteOrderQty for buys by cost, weight-based limits. */
export class BinanceGateway extends CcxtGateway {
  readonly exchange = 'binance' as const;
  readonly capabilities = BINANCE_CAPABILITIES;

  static create(options: CcxtGatewayOptions, governor = new RateGovernor(BINANCE_BUDGETS)): BinanceGateway {
    return new BinanceGateway(options, governor);
  }

  protected createClient(): Exchange {
    const client = new ccxt.binance({
      apiKey: this.options.credentials?.apiKey,
      secret: this.options.credentials?.secret,
      enableRateLimit: false,
      timeout: this.options.timeoutMs ?? 10_000,
      number: String,
      // exchangeInfo's `rateLimits` are read from the last JSON answer after loadMarkets.
      enableLastJsonResponse: true,
      // Spot only: loadMarkets then makes exactly one request (exchangeInfo).
      options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
    });
    if (this.options.mode === 'sim' && !this.options.simUrl) throw new Error('a sim account needs the emulator URL');
    if (this.options.simUrl) client.urls['api'] = ccxtUrlsFor('binance', this.options.simUrl);
    else if (this.options.mode === 'testnet') client.setSandboxMode(true);
    return client;
  }

  protected costOf(call: CallName, detail?: { symbols?: number; depth?: number; symbol?: boolean }): Record<string, number> {
    switch (call) {
      case 'markets':
        return { weight: 20 };
      case 'ticker':
      case 'candles':
        return { weight: 2 };
      case 'tickers':
        return { weight: 80 };
      case 'orderBook':
        return { weight: depthWeight(detail?.depth ?? 100) };
      case 'balances':
      case 'myTrades':
        return { weight: 20 };
      case 'createOrder':
        return { weight: 1, orders: 1, ordersDay: 1 };
      case 'createOrderList':
        // Both legs count against the order limits.
        return { weight: 1, orders: 2, ordersDay: 2 };
      case 'cancelOrder':
      case 'tradingFee':
      case 'keyPermissions':
        return { weight: 1 };
      case 'fetchOrder':
        return { weight: 4 };
      case 'openOrders':
      case 'closedOrders':
        return { weight: detail?.symbol ? 6 : 80 };
    }
  }

  /**
   * `GET /sapi/v1/account/apiRestrictions` (signed). Binance's spot testnet serves no /sapi (ccxt
   * has no testnet URL for it): there the permissions are unknown.
   */
  override async fetchKeyPermissions(): Promise<KeyPermissions | undefined> {
    if (this.mode === 'testnet') return undefined;
    const restrictions = await this.call('keyPermissions', 'read', 'market-data', () =>
      (this.client as unknown as { sapiGetAccountApiRestrictions(): Promise<Record<string, unknown>> }).sapiGetAccountApiRestrictions(),
    );
    return { canWithdraw: restrictions.enableWithdrawals === true, canTrade: restrictions.enableSpotAndMarginTrading === true };
  }

  protected observeHeaders(headers: Record<string, string>): void {
    const weight = Number(headers['x-mbx-used-weight-1m']);
    if (Number.isFinite(weight)) this.governor.observeUsed('weight', weight);
    const orders = Number(headers['x-mbx-order-count-10s']);
    if (Number.isFinite(orders)) this.governor.observeUsed('orders', orders);
  }

  protected override async loadCcxtMarkets(): Promise<void> {
    await this.client.loadMarkets(true);
    // The exchangeInfo answer carries the limits in force for us: take them over the defaults.
    const info = (
      this.client as unknown as {
        last_json_response?: { rateLimits?: Array<{ rateLimitType: string; interval: string; intervalNum: number; limit: number }> };
      }
    ).last_json_response;
    for (const limit of info?.rateLimits ?? []) {
      const windowMs = (INTERVAL_MS[limit.interval] ?? 0) * (limit.intervalNum || 1);
      // Not `limit.limit <= 0`: a missing or non-numeric limit must be skipped too.
      const positiveLimit = limit.limit > 0;
      if (!windowMs || !positiveLimit) continue;
      if (limit.rateLimitType === 'REQUEST_WEIGHT' && limit.interval === 'MINUTE')
        this.governor.setLimit('weight', { limit: limit.limit, windowMs });
      else if (limit.rateLimitType === 'ORDERS' && windowMs <= 60_000) this.governor.setLimit('orders', { limit: limit.limit, windowMs });
      else if (limit.rateLimitType === 'ORDERS' && limit.interval === 'DAY')
        this.governor.setLimit('ordersDay', { limit: limit.limit, windowMs });
    }
  }

  protected toMarket(m: CcxtMarket): Market {
    return {
      symbol: m.symbol,
      exchangeSymbol: m.id ?? m.symbol,
      base: m.base,
      quote: m.quote,
      active: m.active !== false,
      amountStep: optionalDec(m.precision?.amount) ?? dec('0.00000001'),
      priceStep: optionalDec(m.precision?.price),
      minAmount: optionalDec(m.limits?.amount?.min),
      maxAmount: optionalDec(m.limits?.amount?.max),
      minPrice: optionalDec(m.limits?.price?.min),
      maxPrice: optionalDec(m.limits?.price?.max),
      minNotional: optionalDec(m.limits?.cost?.min),
      maxNotional: optionalDec(m.limits?.cost?.max),
      makerFee: optionalDec(m.maker),
      takerFee: optionalDec(m.taker),
      // Binance has no caution designation.
      caution: false,
      cautionReasons: [],
    };
  }

  protected createOrderOnExchange(request: PlaceOrderRequest): Promise<CcxtOrder> {
    const params: Record<string, string> = { newClientOrderId: request.clientOrderId };
    if (request.type === 'market' && request.side === 'buy' && request.cost) {
      params.quoteOrderQty = request.cost.toFixed();
      return this.client.createOrder(request.symbol, 'market', 'buy', undefined as unknown as number, undefined, params);
    }
    return this.client.createOrder(
      request.symbol,
      request.type,
      request.side,
      request.amount!.toFixed() as unknown as number,
      request.type === 'limit' ? (request.price!.toFixed() as unknown as number) : undefined,
      params,
    );
  }

  /**
   * `POST /api/v3/orderList/oco` through ccxt's signed implicit API (ccxt has no unified OCO and
   * does not parse the answer): a LIMIT_MAKER take-profit above, a STOP_LOSS (or STOP_LOSS_LIMIT)
   * below, client ids for the list and each leg, the FULL answer parsed into both legs.
   */
  async createOcoSell(request: OcoSellRequest, options?: CallOptions): Promise<ExchangeOrderList> {
    const market = await this.market(request.symbol);
    const limitStop = request.stopLoss.price !== undefined;
    const params: Record<string, string> = {
      symbol: market.exchangeSymbol,
      side: 'SELL',
      quantity: request.amount.toFixed(),
      listClientOrderId: request.listClientOrderId,
      aboveType: 'LIMIT_MAKER',
      abovePrice: request.takeProfit.price.toFixed(),
      aboveClientOrderId: request.takeProfit.clientOrderId,
      belowType: limitStop ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
      belowStopPrice: request.stopLoss.stopPrice.toFixed(),
      belowClientOrderId: request.stopLoss.clientOrderId,
      newOrderRespType: 'FULL',
      ...(limitStop ? { belowPrice: request.stopLoss.price!.toFixed(), belowTimeInForce: 'GTC' } : {}),
    };
    const client = this.client as unknown as { privatePostOrderListOco(p: Record<string, string>): Promise<OcoAnswer> };
    const answer = await this.call(
      'createOrderList',
      'create-order',
      options?.lane ?? 'order',
      () => client.privatePostOrderListOco(params),
      undefined,
      request.listClientOrderId,
    );
    const reports = answer.orderReports ?? [];
    const ccxtMarket = this.client.market(market.symbol);
    const leg = (clientOrderId: string, sent: PlaceOrderRequest) => {
      const report = reports.find((r) => r.clientOrderId === clientOrderId);
      if (!report) throw new Error(`Binance OCO answer lacks the leg ${clientOrderId}`);
      return this.toOrder(this.client.parseOrder(report, ccxtMarket), sent);
    };
    return {
      exchangeListId: String(answer.orderListId),
      listClientOrderId: String(answer.listClientOrderId ?? request.listClientOrderId),
      takeProfit: leg(request.takeProfit.clientOrderId, {
        symbol: market.symbol,
        side: 'sell',
        type: 'limit',
        amount: request.amount,
        price: request.takeProfit.price,
        clientOrderId: request.takeProfit.clientOrderId,
      }),
      stopLoss: leg(request.stopLoss.clientOrderId, {
        symbol: market.symbol,
        side: 'sell',
        type: limitStop ? 'limit' : 'market',
        amount: request.amount,
        ...(limitStop ? { price: request.stopLoss.price } : {}),
        clientOrderId: request.stopLoss.clientOrderId,
      }),
    };
  }

  protected override exchangeStateOf(order: CcxtOrder): string {
    const status = (order.info as { status?: unknown } | undefined)?.status;
    return typeof status === 'string' ? status : super.exchangeStateOf(order);
  }

  protected fetchOrderByClientIdOnExchange(symbol: string, clientOrderId: string): Promise<CcxtOrder> {
    return this.client.fetchOrder(undefined as unknown as string, symbol, { origClientOrderId: clientOrderId });
  }

  protected async cancelOrderByClientIdOnExchange(symbol: string, clientOrderId: string): Promise<CcxtOrder> {
    return await this.client.cancelOrder(undefined as unknown as string, symbol, { origClientOrderId: clientOrderId });
  }

  protected async fetchTradingFeeOnExchange(symbol: string): Promise<TradingFee> {
    const fee = await this.client.fetchTradingFee(symbol);
    return { symbol, maker: optionalDec(fee.maker) ?? dec('0.001'), taker: optionalDec(fee.taker) ?? dec('0.001') };
  }
}
