import { Injectable } from '@nestjs/common';
import type { Candle, CandleTimeframe } from '../domain/candles.js';
import type { Market } from '../domain/exchange-gateway.js';
import type { ExchangeAccountSummary } from './exchange-gateways.js';
import { ExchangeGatewaysService } from './exchange-gateways.service.js';

export interface MarketCandles {
  account: ExchangeAccountSummary;
  market: Market;
  timeframe: CandleTimeframe;
  candles: Candle[];
}

/** Candles of a market read through an account's gateway (governed and cached like every market read). */
@Injectable()
export class MarketCandlesService {
  constructor(private readonly gateways: ExchangeGatewaysService) {}

  async candles(accountId: string, symbol: string, timeframe: CandleTimeframe, limit: number): Promise<MarketCandles> {
    const account = await this.gateways.describeAccount(accountId);
    const gateway = await this.gateways.forAccount(accountId);
    // An unknown market is a 404 naming it, before any candle request.
    const market = await gateway.market(symbol);
    return { account, market, timeframe, candles: await gateway.fetchCandles(market.symbol, timeframe, limit) };
  }
}
