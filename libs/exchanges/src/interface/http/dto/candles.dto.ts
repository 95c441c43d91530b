import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { CANDLE_TIMEFRAMES, type CandleTimeframe, MAX_CANDLES } from '../../../domain/candles.js';

export class CandlesQuery {
  @ApiProperty({ example: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10', description: 'The account whose exchange is read' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/USDT' })
  @Matches(/^[A-Za-z0-9]{1,20}\/[A-Za-z0-9]{1,20}$/, { message: 'symbol must be a market such as BTC/USDT' })
  symbol: string;

  @ApiPropertyOptional({ enum: CANDLE_TIMEFRAMES, default: '1m' })
  @IsOptional()
  @IsIn(CANDLE_TIMEFRAMES)
  timeframe?: CandleTimeframe;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CANDLES, default: 120 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CANDLES)
  limit?: number;
}
