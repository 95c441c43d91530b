import { Injectable } from '@nestjs/common';
import { type Decimal, NotFoundError, ValidationError } from '@tradedesk/shared';
import type { ExchangeGateway, ExchangeId, Market, OrderSide, Ticker } from '../domain/exchange-gateway.js';
import { inKrwAndUsdt, krwPremiumPercent, venueCost } from '../domain/fee-comparison.js';
import type { ExchangeAccountSummary } from './exchange-gateways.js';
import { ExchangeGatewaysService } from './exchange-gateways.service.js';

const BOOK_DEPTH = 100;
const USDT_KRW = 'USDT/KRW';

export interface VenueQuote {
  account: ExchangeAccountSummary;
  symbol: string;
  quote: string;
  /** The market's tick (absent: Upbit's KRW price table), for printing its prices. */
  priceStep?: Decimal;
  averagePrice: Decimal;
  feeRate: Decimal;
  fee: Decimal;
  total: Decimal;
  totalKrw?: Decimal;
  totalUsdt?: Decimal;
  /** False when the visible book could not fill the whole amount (the figures cover what it could). */
  depthSufficient: boolean;
}

export interface FeeComparison {
  base: string;
  amount: Decimal;
  side: OrderSide;
  /** Upbit's USDT/KRW price (a KRW market: the price table gives its precision). */
  usdtKrw?: Decimal;
  venues: VenueQuote[];
  best?: { accountId: string; exchange: ExchangeId; symbol: string };
}

export interface Premium {
  base: string;
  upbit: { accountId: string; symbol: string; price: Decimal; priceStep?: Decimal };
  binance: { accountId: string; symbol: string; price: Decimal; priceStep?: Decimal };
  usdtKrw: Decimal;
  /** Binance price × USDT/KRW. */
  binancePriceKrw: Decimal;
  premiumPercent: Decimal;
  timestamp: Date;
}

function stepOf(market: Market): { priceStep?: Decimal } {
  return market.priceStep ? { priceStep: market.priceStep } : {};
}

/** Market reads that span accounts: markets, tickers, the fee comparison and the KRW premium. */
@Injectable()
export class MarketDataService {
  constructor(private readonly gateways: ExchangeGatewaysService) {}

  /** Markets of an exchange, read through the given account or the first account on that exchange. */
  async markets(exchange: ExchangeId, accountId?: string): Promise<{ account: ExchangeAccountSummary; markets: Market[] }> {
    const account = accountId ? await this.gateways.describeAccount(accountId) : await this.firstAccount(exchange);
    if (account.exchange !== exchange)
      throw new ValidationError('MARKET.ACCOUNT_EXCHANGE_MISMATCH', `Account ${account.id} is a ${account.exchange} account`, {
        field: 'accountId',
      });
    const gateway = await this.gateways.forAccount(account.id);
    return { account, markets: await gateway.fetchMarkets() };
  }

  async tickers(accountId: string, symbols: string[]): Promise<Record<string, Ticker>> {
    const gateway = await this.gateways.forAccount(accountId);
    for (const symbol of symbols) await gateway.market(symbol);
    return gateway.fetchTickers(symbols);
  }

  async compareFees(base: string, amount: Decimal, side: OrderSide): Promise<FeeComparison> {
    const asset = base.toUpperCase();
    const accounts = await this.gateways.listAccounts();
    const usdtKrw = await this.usdtKrw(accounts).catch(() => undefined);
    const venues: VenueQuote[] = [];
    for (const account of accounts) {
      const gateway = await this.gateways.forAccount(account.id);
      const market = await this.marketFor(gateway, asset);
      if (!market) continue;
      const [book, fee] = await Promise.all([gateway.fetchOrderBook(market.symbol, BOOK_DEPTH), gateway.fetchTradingFee(market.symbol)]);
      const cost = venueCost(side, side === 'buy' ? book.asks : book.bids, amount, fee.taker);
      const converted = inKrwAndUsdt(cost.total, market.quote, usdtKrw);
      venues.push({
        account,
        symbol: market.symbol,
        quote: market.quote,
        ...stepOf(market),
        averagePrice: cost.averagePrice,
        feeRate: fee.taker,
        fee: cost.fee,
        total: cost.total,
        totalKrw: converted.krw,
        totalUsdt: converted.usdt,
        depthSufficient: cost.sufficient,
      });
    }
    const comparable = venues.filter((v) => v.depthSufficient && v.totalUsdt !== undefined);
    const better = (a: VenueQuote, b: VenueQuote) =>
      side === 'buy' ? a.totalUsdt!.lessThan(b.totalUsdt!) : a.totalUsdt!.greaterThan(b.totalUsdt!);
    const best = comparable.reduce<VenueQuote | undefined>((winner, v) => (!winner || better(v, winner) ? v : winner), undefined);
    return {
      base: asset,
      amount,
      side,
      usdtKrw,
      venues,
      best: best ? { accountId: best.account.id, exchange: best.account.exchange, symbol: best.symbol } : undefined,
    };
  }

  async premium(base: string): Promise<Premium> {
    const asset = base.toUpperCase();
    const accounts = await this.gateways.listAccounts();
    const upbit = await this.firstAccount('upbit', accounts);
    const binance = await this.firstAccount('binance', accounts);
    const [upbitGateway, binanceGateway] = await Promise.all([this.gateways.forAccount(upbit.id), this.gateways.forAccount(binance.id)]);
    const krwSymbol = `${asset}/KRW`;
    const usdtSymbol = `${asset}/USDT`;
    const [upbitMarket, binanceMarket] = await Promise.all([
      upbitGateway.market(krwSymbol),
      binanceGateway.market(usdtSymbol),
      upbitGateway.market(USDT_KRW),
    ]);
    const [upbitTickers, binanceTicker] = await Promise.all([
      upbitGateway.fetchTickers([krwSymbol, USDT_KRW]),
      binanceGateway.fetchTicker(usdtSymbol),
    ]);
    const krwPrice = upbitTickers[krwSymbol].last;
    const usdtKrw = upbitTickers[USDT_KRW].last;
    return {
      base: asset,
      upbit: { accountId: upbit.id, symbol: krwSymbol, price: krwPrice, ...stepOf(upbitMarket) },
      binance: { accountId: binance.id, symbol: usdtSymbol, price: binanceTicker.last, ...stepOf(binanceMarket) },
      usdtKrw,
      binancePriceKrw: binanceTicker.last.mul(usdtKrw),
      premiumPercent: krwPremiumPercent(krwPrice, binanceTicker.last, usdtKrw),
      timestamp: new Date(),
    };
  }

  private async usdtKrw(accounts: ExchangeAccountSummary[]): Promise<Decimal | undefined> {
    const upbit = accounts.find((a) => a.exchange === 'upbit');
    if (!upbit) return undefined;
    return (await (await this.gateways.forAccount(upbit.id)).fetchTicker(USDT_KRW)).last;
  }

  private async marketFor(gateway: ExchangeGateway, base: string): Promise<Market | undefined> {
    for (const quote of gateway.capabilities.quoteCurrencies) {
      try {
        return await gateway.market(`${base}/${quote}`);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return undefined;
  }

  private async firstAccount(exchange: ExchangeId, accounts?: ExchangeAccountSummary[]): Promise<ExchangeAccountSummary> {
    const found = (accounts ?? (await this.gateways.listAccounts())).find((a) => a.exchange === exchange);
    if (!found)
      throw new NotFoundError('ACCOUNT.NONE_FOR_EXCHANGE', `No ${exchange} account is configured; add one under /api/accounts`, {
        exchange,
      });
    return found;
  }
}
