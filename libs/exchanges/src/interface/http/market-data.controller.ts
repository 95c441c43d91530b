import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { dec, ValidationError } from '@tradedesk/shared';
import { ADAPTERS } from '../../application/gateway-factory.js';
import { MarketDataService } from '../../application/market-data.service.js';
import { EXCHANGE_IDS } from '../../domain/exchange-gateway.js';
import { ExchangeParam, FeeCompareQuery, MarketsQuery, PremiumQuery, TickersQuery } from './dto/market.dto.js';
import { presentCapabilities, presentFeeComparison, presentMarket, presentPremium, presentTicker } from './presenters.js';

const exchangesExample = [
  {
    id: 'upbit',
    name: 'Upbit',
    modes: ['live', 'paper', 'sim'],
    capabilities: {
      nativeStopLoss: false,
      nativeOco: false,
      marketBuyByCost: true,
      minOrderValue: { currency: 'KRW', amount: '5000' },
      priceStepRule: 'krw-price-table',
      orderRateBudget: { orders: 8, windowMs: 1000 },
      clientOrderIdReuse: 'never',
      quoteCurrencies: ['KRW'],
      tickerBidAsk: false,
    },
  },
];

@ApiTags('market data')
@Controller()
export class MarketDataController {
  constructor(private readonly marketData: MarketDataService) {}

  @Get('exchanges')
  @ApiOperation({ summary: 'Supported exchanges, the account modes each takes, and what each does natively (the rest tradedesk emulates)' })
  @ApiOkResponse({ schema: { example: exchangesExample } })
  exchanges() {
    return EXCHANGE_IDS.map((id) => ({
      id,
      name: ADAPTERS[id].name,
      modes: ADAPTERS[id].modes,
      capabilities: presentCapabilities(ADAPTERS[id].capabilities),
    }));
  }

  @Get('markets/:exchange')
  @ApiOperation({ summary: 'Spot markets of an exchange with their steps and limits (cached for an hour)' })
  @ApiParam({ name: 'exchange', enum: EXCHANGE_IDS })
  @ApiOkResponse({
    schema: {
      example: {
        exchange: 'binance',
        accountId: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10',
        markets: [
          {
            symbol: 'BTC/USDT',
            exchangeSymbol: 'BTCUSDT',
            base: 'BTC',
            quote: 'USDT',
            active: true,
            amountStep: '0.00001',
            priceStep: '0.01',
            priceStepRule: 'tick-size',
            minNotional: '5',
            caution: false,
            cautionReasons: [],
          },
        ],
      },
    },
  })
  @ApiNotFoundResponse({ description: 'No account on this exchange (`ACCOUNT.NONE_FOR_EXCHANGE`)' })
  async markets(@Param() params: ExchangeParam, @Query() query: MarketsQuery) {
    const { account, markets } = await this.marketData.markets(params.exchange, query.accountId);
    return { exchange: params.exchange, accountId: account.id, markets: markets.map(presentMarket) };
  }

  @Get('tickers')
  @ApiOperation({
    summary: 'Tickers of one account’s exchange, one batched request, cached ~1 s (concurrent callers share one exchange call)',
  })
  @ApiOkResponse({
    schema: {
      example: {
        accountId: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10',
        tickers: [{ symbol: 'BTC/USDT', last: '60000', bid: '59999.99', ask: '60000.01', timestamp: '2026-11-26T12:00:00.000Z' }],
      },
    },
  })
  @ApiNotFoundResponse({ description: 'Unknown account (`ACCOUNT.NOT_FOUND`) or market (`MARKET.NOT_FOUND`)' })
  async tickers(@Query() query: TickersQuery) {
    const symbols = query.symbols.split(',').map((s) => s.toUpperCase());
    const tickers = await this.marketData.tickers(query.accountId, symbols);
    return { accountId: query.accountId, tickers: symbols.filter((s) => tickers[s]).map((s) => presentTicker(tickers[s])) };
  }

  @Get('fees/compare')
  @ApiOperation({
    summary:
      'Where is it cheapest? Effective price from order-book depth, taker fee and total per account, in the market quote and in KRW and USDT',
    description:
      'Totals are cost including fee for a buy, proceeds after fee for a sell. KRW↔USDT uses the Upbit USDT/KRW price. `best` is the cheapest buy / richest sell among venues whose book covers the amount, chosen on exact totals. ' +
      'Printed figures are rounded half up: `averagePrice` to the market tick (Upbit KRW: its price table) plus up to 4 digits, fees and totals to the currency (KRW 0 decimals, USDT 8).',
  })
  @ApiOkResponse({
    schema: {
      example: {
        base: 'BTC',
        amount: '0.1',
        side: 'buy',
        usdtKrw: '1380',
        venues: [
          {
            exchange: 'binance',
            symbol: 'BTC/USDT',
            quote: 'USDT',
            averagePrice: '60000',
            feeRate: '0.001',
            fee: '6',
            total: '6006',
            totalKrw: '8288280',
            totalUsdt: '6006',
            depthSufficient: true,
          },
        ],
        best: { accountId: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10', exchange: 'binance', symbol: 'BTC/USDT' },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'base, amount or side invalid (`REQUEST.VALIDATION_FAILED`)' })
  async compareFees(@Query() query: FeeCompareQuery) {
    const amount = dec(query.amount);
    if (amount.isZero()) throw new ValidationError('REQUEST.VALIDATION_FAILED', 'amount must be greater than 0', { field: 'amount' });
    return presentFeeComparison(await this.marketData.compareFees(query.base, amount, query.side));
  }

  @Get('premium')
  @ApiOperation({
    summary: 'KRW premium: Upbit KRW price vs Binance USDT price × Upbit USDT/KRW, in percent',
    description:
      'Prices are printed to their market’s precision (`binancePriceKrw` to the Upbit KRW market’s), `premiumPercent` to 4 decimals, computed from the exact prices.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        base: 'BTC',
        upbit: { symbol: 'BTC/KRW', price: '84000000' },
        binance: { symbol: 'BTC/USDT', price: '60000' },
        usdtKrw: '1380',
        binancePriceKrw: '82800000',
        premiumPercent: '1.4493',
        timestamp: '2026-11-26T12:00:00.000Z',
      },
    },
  })
  @ApiNotFoundResponse({
    description: 'No Upbit or no Binance account (`ACCOUNT.NONE_FOR_EXCHANGE`), or no such market (`MARKET.NOT_FOUND`)',
  })
  async premium(@Query() query: PremiumQuery) {
    return presentPremium(await this.marketData.premium(query.base));
  }
}
