import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MarketCandlesService } from '../../application/market-candles.js';
import { CandlesQuery } from './dto/candles.dto.js';

const DEFAULT_CANDLES = 120;

@ApiTags('market data')
@Controller('candles')
export class CandlesController {
  constructor(private readonly candles: MarketCandlesService) {}

  @Get()
  @ApiOperation({
    summary: 'Candles (OHLCV) of a market, oldest first, the last one still forming',
    description:
      'Read from the account’s exchange (Binance `/api/v3/klines`, Upbit `/v1/candles/…`) through its rate governor and cached ~2 s. ' +
      'Times are the candles’ opening instants (days start 00:00 UTC on both exchanges); prices and volume as the exchange reports them.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        accountId: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10',
        exchange: 'binance',
        symbol: 'BTC/USDT',
        timeframe: '1m',
        candles: [
          { time: '2026-12-08T00:04:00.000Z', open: '60000', high: '60034.64', low: '59944.78', close: '59971.69', volume: '0.01' },
        ],
      },
    },
  })
  @ApiBadRequestResponse({ description: 'A query field is invalid (`REQUEST.VALIDATION_FAILED`, naming it)' })
  @ApiNotFoundResponse({ description: 'Unknown account (`ACCOUNT.NOT_FOUND`) or market (`MARKET.NOT_FOUND`)' })
  async list(@Query() query: CandlesQuery) {
    const timeframe = query.timeframe ?? '1m';
    const found = await this.candles.candles(query.accountId, query.symbol.toUpperCase(), timeframe, query.limit ?? DEFAULT_CANDLES);
    return {
      accountId: found.account.id,
      exchange: found.account.exchange,
      symbol: found.market.symbol,
      timeframe,
      candles: found.candles.map((c) => ({
        time: c.openTime.toISOString(),
        open: c.open.toFixed(),
        high: c.high.toFixed(),
        low: c.low.toFixed(),
        close: c.close.toFixed(),
        volume: c.volume.toFixed(),
      })),
    };
  }
}
