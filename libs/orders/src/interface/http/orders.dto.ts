import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQuery } from '@tradedesk/shared';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/order-status.js';

const DECIMAL = /^(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{2,8}$/;

export class PlaceOrderRequestDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2a9e-5b7d-4c1e-9a8f-2d6b7e0c1a23', description: 'An account of GET /api/accounts' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/USDT', description: 'ccxt form: BASE/QUOTE (`BTC/USDT` on Binance, `BTC/KRW` on Upbit)' })
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol: string;

  @ApiProperty({ enum: ['buy', 'sell'] })
  @IsIn(['buy', 'sell'])
  side: 'buy' | 'sell';

  @ApiProperty({ enum: ['market', 'limit'] })
  @IsIn(['market', 'limit'])
  type: 'market' | 'limit';

  @ApiPropertyOptional({
    example: '0.01',
    description: 'Base amount as a decimal string (limit orders, market sells, market buys by amount)',
  })
  @IsOptional()
  @Matches(DECIMAL, { message: 'amount must be a positive decimal string such as "0.01"' })
  amount?: string;

  @ApiPropertyOptional({ example: '100000', description: 'Quote amount to spend, market buys only (e.g. Upbit KRW market buy)' })
  @IsOptional()
  @Matches(DECIMAL, { message: 'cost must be a positive decimal string such as "100000"' })
  cost?: string;

  @ApiPropertyOptional({ example: '50000.5', description: 'Limit price as a decimal string (limit orders only)' })
  @IsOptional()
  @Matches(DECIMAL, { message: 'price must be a positive decimal string such as "50000.5"' })
  price?: string;
}

export class OrderIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

/** Filters shared by the order and trade lists. */
export class HistoryQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({ example: 'BTC/USDT' })
  @IsOptional()
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol?: string;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'From this instant (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Up to this instant (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ListOrdersQueryDto extends HistoryQuery {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class ListTradesQueryDto extends HistoryQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  orderId?: string;
}

export class PositionsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({ example: 'BTC/KRW' })
  @IsOptional()
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol?: string;
}

export class ClosePositionRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/KRW' })
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol: string;

  @ApiPropertyOptional({
    enum: ['all', 'balance'],
    default: 'all',
    description:
      '`all` (default): the position — what tradedesk bought on this market, less what it sold, plus what you adopted — capped by the free balance. `balance`: the whole free balance of the base asset, coins held before tradedesk included (an explicit choice).',
  })
  @IsOptional()
  @IsIn(['all', 'balance'])
  amount?: 'all' | 'balance';
}

export class AdoptPositionRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/KRW' })
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol: string;

  @ApiProperty({ example: '0.05', description: 'Base amount to bring into the position: at most the free balance no position counts yet' })
  @Matches(DECIMAL, { message: 'amount must be a positive decimal string such as "0.05"' })
  amount: string;

  @ApiProperty({ example: '68000000', description: 'The average price you paid for these coins (quote currency): their cost in PnL' })
  @Matches(DECIMAL, { message: 'averageEntry must be a positive decimal string such as "68000000"' })
  averageEntry: string;
}

export class PositionTimelineQueryDto extends PageQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  accountId: string;

  @ApiProperty({ example: 'BTC/KRW' })
  @Matches(SYMBOL, { message: 'symbol must look like BTC/USDT or BTC/KRW' })
  symbol: string;
}
