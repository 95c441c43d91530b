import { dec } from '@tradedesk/shared';
import { ccxtUrlsFor } from '@tradedesk/exchange-sim-client';
import ccxt, { type Exchange, type MarketInterface as CcxtMarket, type Order as CcxtOrder } from 'ccxt';
import type {
  CallOptions,
  ExchangeCapabilities,
  ExchangeOrder,
  ExchangeTrade,
  Market,
  PlaceOrderRequest,
  TradingFee,
} from '../../domain/exchange-gateway.js';
import { settleUpbitMarketBuyByCost } from '../../domain/upbit-market-buy.js';
import { RateGovernor, type BudgetSpec } from '../rate/rate-governor.js';
import { CcxtGateway, type CallName, type CcxtGatewayOptions } from './ccxt-gateway.js';
import { optionalDec } from './ccxt-mapping.js';
import { upbitCautionOf } from './upbit-caution.js';

export const UPBIT_MIN_ORDER_TOTAL_KRW = dec(5000);

export const UPBIT_CAPABILITIES: ExchangeCapabilities = {
  nativeStopLoss: false,
  nativeOco: false,
  marketBuyByCost: true,
  minOrderValue: { currency: 'KRW', amount: UPBIT_MIN_ORDER_TOTAL_KRW },
  priceStepRule: 'krw-price-table',
  orderRateBudget: { orders: 8, windowMs: 1000 },
  clientOrderIdReuse: 'never',
  quoteCurrencies: ['KRW'],
  tickerBidAsk: false,
};

/** Upbit's per-second request groups (quotation per IP, exchange per key); `Remaining-Req` refines them. */
export const UPBIT_BUDGETS: Record<string, BudgetSpec> = {
  market: { limit: 10, windowMs: 1000, calibrate: true },
  ticker: { limit: 10, windowMs: 1000, calibrate: true },
  orderbook: { limit: 10, windowMs: 1000, calibrate: true },
  candles: { limit: 10, windowMs: 1000, calibrate: true },
  default: { limit: 30, windowMs: 1000, calibrate: true },
  order: { limit: 8, windowMs: 1000, calibrate: true },
};

/** `Remaining-Req: group=default; min=1800; sec=29` → group and what is left this second. */
export function parseRemainingReq(header: string | undefined): { group: string; sec: number } | undefined {
  if (!header) return undefined;
  const fields = Object.fromEntries(
    header.split(';').map((part) => {
      const [key, value] = part.split('=').map((s) => s.trim());
      return [key, value];
    }),
  );
  const sec = Number(fields.sec);
  return fields.group && Number.isFinite(sec) ? { group: fields.group, sec } : undefined;
}

/** The fields of Upbit's order JSON read here beyond what ccxt unifies. */
interface UpbitOrderInfo {
  state?: unknown;
  ord_type?: unknown;
}

/** Upbit (KRW markets) on ccxt: `identifier` as client order id, market buys by KRW cost, per-second groups. */
export class UpbitGateway extends CcxtGateway {
  readonly exchange = 'upbit' as const;
  readonly capabilities = UPBIT_CAPABILITIES;

  static create(options: CcxtGatewayOptions, governor = new RateGovernor(UPBIT_BUDGETS)): UpbitGateway {
    return new UpbitGateway(options, governor);
  }

  protected createClient(): Exchange {
    if (this.options.mode === 'testnet') throw new Error('Upbit has no testnet');
    const client = new ccxt.upbit({
      apiKey: this.options.credentials?.apiKey,
      secret: this.options.credentials?.secret,
      enableRateLimit: false,
      timeout: this.options.timeoutMs ?? 10_000,
      number: String,
    });
    if (this.options.mode === 'sim' && !this.options.simUrl) throw new Error('a sim account needs the emulator URL');
    if (this.options.simUrl) client.urls['api'] = ccxtUrlsFor('upbit', this.options.simUrl);
    return client;
  }

  protected costOf(call: CallName): Record<string, number> {
    switch (call) {
      case 'markets':
        return { market: 1 };
      case 'ticker':
      case 'tickers':
        return { ticker: 1 };
      case 'orderBook':
        return { orderbook: 1 };
      case 'candles':
        return { candles: 1 };
      case 'createOrder':
      case 'cancelOrder':
        return { order: 1 };
      default:
        return { default: 1 };
    }
  }

  protected observeHeaders(headers: Record<string, string>): void {
    const remaining = parseRemainingReq(headers['remaining-req']);
    if (!remaining) return;
    // The first answer of a group, sent alone, tells the real limit: what is left plus our one request.
    if (!this.governor.isCalibrated(remaining.group)) this.governor.calibrate(remaining.group, remaining.sec + 1);
    const limit = this.governor.limitOf(remaining.group);
    if (!limit) return;
    this.governor.observeUsed(remaining.group, limit.limit - remaining.sec);
    // Spent for this second at the exchange: wait for the next one.
    if (remaining.sec <= 0) this.governor.pauseBudget(remaining.group, 1000 - (Date.now() % 1000) + 50);
  }

  /** The detailed list carries the caution flags (`market_warning`, `market_event`); it is still one request. */
  protected override async loadCcxtMarkets(): Promise<void> {
    await this.client.loadMarkets(true, { isDetails: true });
  }

  protected toMarket(m: CcxtMarket): Market {
    const krw = m.quote === 'KRW';
    const caution = upbitCautionOf(m.info);
    return {
      symbol: m.symbol,
      exchangeSymbol: m.id ?? m.symbol,
      base: m.base,
      quote: m.quote,
      active: m.active !== false,
      amountStep: optionalDec(m.precision?.amount) ?? dec('0.00000001'),
      // ccxt reports a flat 1e-8 for Upbit; KRW markets follow the price table instead.
      priceStep: krw ? undefined : optionalDec(m.precision?.price),
      minAmount: optionalDec(m.limits?.amount?.min),
      maxAmount: optionalDec(m.limits?.amount?.max),
      minPrice: optionalDec(m.limits?.price?.min),
      maxPrice: optionalDec(m.limits?.price?.max),
      minNotional: krw ? UPBIT_MIN_ORDER_TOTAL_KRW : optionalDec(m.limits?.cost?.min),
      maxNotional: optionalDec(m.limits?.cost?.max),
      makerFee: optionalDec(m.maker),
      takerFee: optionalDec(m.taker),
      caution: caution.caution,
      cautionReasons: caution.reasons,
    };
  }

  protected override exchangeStateOf(order: CcxtOrder): string {
    const state = (order.info as UpbitOrderInfo | undefined)?.state;
    return typeof state === 'string' ? state : super.exchangeStateOf(order);
  }

  protected override toOrder(order: CcxtOrder, sent?: PlaceOrderRequest): ExchangeOrder {
    const mapped = super.toOrder(order, sent);
    return (order.info as UpbitOrderInfo | undefined)?.ord_type === 'price' ? settleUpbitMarketBuyByCost(mapped) : mapped;
  }

  protected createOrderOnExchange(request: PlaceOrderRequest): Promise<CcxtOrder> {
    const params: Record<string, string> = { clientOrderId: request.clientOrderId };
    if (request.type === 'market' && request.side === 'buy') {
      params.cost = request.cost!.toFixed();
      return this.client.createOrder(request.symbol, 'market', 'buy', request.cost!.toFixed() as unknown as number, undefined, params);
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

  protected async fetchOrderByClientIdOnExchange(_symbol: string, clientOrderId: string): Promise<CcxtOrder> {
    const raw = await (this.client as unknown as { privateGetOrder(p: object): Promise<unknown> }).privateGetOrder({
      identifier: clientOrderId,
    });
    return this.client.parseOrder(raw as Record<string, unknown>);
  }

  protected async cancelOrderByClientIdOnExchange(_symbol: string, clientOrderId: string): Promise<CcxtOrder> {
    const raw = await (this.client as unknown as { privateDeleteOrder(p: object): Promise<unknown> }).privateDeleteOrder({
      identifier: clientOrderId,
    });
    return this.client.parseOrder(raw as Record<string, unknown>);
  }

  protected async fetchTradingFeeOnExchange(symbol: string): Promise<TradingFee> {
    const fee = await this.client.fetchTradingFee(symbol);
    return { symbol, maker: optionalDec(fee.maker) ?? dec('0.0005'), taker: optionalDec(fee.taker) ?? dec('0.0005') };
  }

  /** Upbit has no fills endpoint: the trades of recently done orders, each read from its order. */
  override async fetchMyTrades(symbol: string, since?: Date, options?: CallOptions): Promise<ExchangeTrade[]> {
    await this.market(symbol);
    const lane = options?.lane ?? 'order';
    // A market buy by KRW cost can end as `cancel` with its fills (left-over KRW): read both states.
    const done = await this.call('closedOrders', 'read', lane, () => this.client.fetchClosedOrders(symbol, since?.getTime(), 100));
    const canceled = await this.call('closedOrders', 'read', lane, () => this.client.fetchCanceledOrders(symbol, since?.getTime(), 100));
    const closed = [...done, ...canceled];
    const trades: ExchangeTrade[] = [];
    for (const order of closed) {
      if (!optionalDec(order.filled)?.greaterThan(0)) continue;
      const detail = await this.fetchOrder(symbol, String(order.id), { lane });
      for (const trade of detail.trades ?? [])
        if (!since || trade.timestamp >= since) trades.push({ ...trade, orderId: detail.exchangeOrderId, symbol });
    }
    return trades.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  }
}
