import { Injectable, Logger } from '@nestjs/common';
import { type Decimal, ZERO } from '@tradedesk/shared';
import type { ExchangeGateway } from '../domain/exchange-gateway.js';
import { inKrwAndUsdt } from '../domain/fee-comparison.js';
import { type AccountValuation, valueBalances } from '../domain/portfolio-valuation.js';
import type { ExchangeAccountSummary } from './exchange-gateways.js';
import { ExchangeGatewaysService } from './exchange-gateways.service.js';

const USDT_KRW = 'USDT/KRW';

/** The KRW↔USDT rate the totals use, and where it was read. */
export interface ConversionRate {
  usdtKrw: Decimal;
  accountId: string;
  exchange: 'upbit';
  symbol: typeof USDT_KRW;
  source: 'last';
  at: Date;
}

export interface AccountHoldings {
  account: ExchangeAccountSummary;
  valuation?: AccountValuation;
  /** Why the account could not be valued (its exchange did not answer): it is in no total. */
  error?: string;
}

export interface Portfolio {
  accounts: AccountHoldings[];
  /** Every valued account converted; a currency is absent when the rate is unknown and an account is in the other one. */
  totals: { KRW?: Decimal; USDT?: Decimal };
  /** False when an account could not be read or held coins without a price: the totals leave them out. */
  complete: boolean;
  conversion?: ConversionRate;
  at: Date;
}

/** What every account holds, valued at last prices, with totals in KRW and USDT at Upbit's USDT/KRW price. */
@Injectable()
export class PortfolioService {
  private readonly logger = new Logger(PortfolioService.name);

  constructor(private readonly gateways: ExchangeGatewaysService) {}

  async value(): Promise<Portfolio> {
    const accounts = await this.gateways.listAccounts();
    const [conversion, holdings] = await Promise.all([this.conversion(accounts), Promise.all(accounts.map((a) => this.holdings(a)))]);
    let krw: Decimal | undefined = ZERO;
    let usdt: Decimal | undefined = ZERO;
    for (const { valuation } of holdings) {
      if (!valuation) continue;
      const converted = inKrwAndUsdt(valuation.value, valuation.quote, conversion?.usdtKrw);
      krw = krw && converted.krw ? krw.plus(converted.krw) : undefined;
      usdt = usdt && converted.usdt ? usdt.plus(converted.usdt) : undefined;
    }
    const complete = holdings.every((h) => h.valuation && h.valuation.unvalued.length === 0);
    return { accounts: holdings, totals: { KRW: krw, USDT: usdt }, complete, conversion, at: new Date() };
  }

  private async holdings(account: ExchangeAccountSummary): Promise<AccountHoldings> {
    try {
      const gateway = await this.gateways.forAccount(account.id);
      const quote = gateway.capabilities.quoteCurrencies[0];
      const balances = await gateway.fetchBalances();
      const prices = await this.lastPrices(gateway, quote, Object.keys(balances));
      return { account, valuation: valueBalances(balances, quote, prices) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`portfolio: account ${account.id} could not be valued: ${reason}`);
      return { account, error: reason };
    }
  }

  /** Last prices of the held coins' markets against the quote, in one batched ticker request. */
  private async lastPrices(gateway: ExchangeGateway, quote: string, assets: string[]): Promise<Map<string, Decimal>> {
    const listed = new Set((await gateway.fetchMarkets()).map((m) => m.symbol));
    const symbols = assets.filter((asset) => asset !== quote && listed.has(`${asset}/${quote}`)).map((asset) => `${asset}/${quote}`);
    const tickers = await gateway.fetchTickers(symbols);
    return new Map(Object.values(tickers).map((t) => [t.symbol.split('/')[0], t.last]));
  }

  private async conversion(accounts: ExchangeAccountSummary[]): Promise<ConversionRate | undefined> {
    const upbit = accounts.find((a) => a.exchange === 'upbit');
    if (!upbit) return undefined;
    try {
      const ticker = await (await this.gateways.forAccount(upbit.id)).fetchTicker(USDT_KRW);
      return { usdtKrw: ticker.last, accountId: upbit.id, exchange: 'upbit', symbol: USDT_KRW, source: 'last', at: ticker.timestamp };
    } catch (error) {
      this.logger.warn(`portfolio: no USDT/KRW price: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
