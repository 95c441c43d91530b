import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { EXCHANGE_IDS } from '../../../domain/exchange-gateway.js';

const DECIMAL = /^(?:\d{1,20})(?:\.\d{1,18})?$/;
const ASSET = /^[A-Za-z0-9]{1,20}$/;

export class MarketsQuery {
  @ApiPropertyOptional({ description: 'Read through this account (default: the first account on the exchange)' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class TickersQuery {
  @ApiProperty({ example: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/USDT,ETH/USDT', description: 'Comma-separated symbols; fetched in one batched request and cached ~1 s' })
  @IsString()
  @Length(3, 2000)
  @Matches(/^[A-Za-z0-9]+\/[A-Za-z0-9]+(,[A-Za-z0-9]+\/[A-Za-z0-9]+)*$/, {
    message: 'symbols must be a comma-separated list such as BTC/USDT,ETH/USDT',
  })
  symbols: string;
}

export class FeeCompareQuery {
  @ApiProperty({ example: 'BTC' })
  @Matches(ASSET, { message: 'base must be an asset code such as BTC' })
  base: string;

  @ApiProperty({ example: '0.1', description: 'Amount of the base asset, decimal string' })
  @Matches(DECIMAL, { message: 'amount must be a positive decimal such as 0.1' })
  amount: string;

  @ApiProperty({ enum: ['buy', 'sell'], example: 'buy' })
  @IsIn(['buy', 'sell'])
  side: 'buy' | 'sell';
}

export class PremiumQuery {
  @ApiProperty({ example: 'BTC' })
  @Matches(ASSET, { message: 'base must be an asset code such as BTC' })
  base: string;
}

export class ExchangeParam {
  @ApiProperty({ enum: EXCHANGE_IDS })
  @IsIn(EXCHANGE_IDS)
  exchange: 'binance' | 'upbit';
}
