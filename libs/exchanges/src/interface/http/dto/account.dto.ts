import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ACCOUNT_MODES, type AccountMode, EXCHANGE_IDS, type ExchangeId } from '../../../domain/exchange-gateway.js';

const PRINTABLE = /^[\x21-\x7e]+$/;

export class CreateAccountRequest {
  @ApiProperty({ enum: EXCHANGE_IDS, example: 'binance' })
  @IsIn(EXCHANGE_IDS)
  exchange: ExchangeId;

  @ApiProperty({
    enum: ACCOUNT_MODES,
    example: 'live',
    description: '`live` real keys, `testnet` Binance spot testnet, `sim` the emulator (`paper` is not available yet)',
  })
  @IsIn(ACCOUNT_MODES)
  mode: AccountMode;

  @ApiProperty({ example: 'Binance main', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  label: string;

  @ApiProperty({
    example: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
    description: 'Write-only: stored encrypted, never returned',
  })
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey: string;

  @ApiProperty({
    example: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    description: 'Write-only: stored encrypted, never returned',
  })
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'secret must be printable ASCII without spaces' })
  secret: string;
}

export class UpdateAccountRequest {
  @ApiPropertyOptional({ example: 'Binance savings', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  label?: string;

  @ApiPropertyOptional({ description: 'Replaces the key; give `secret` with it. Checked with a balance call first.' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey?: string;

  @ApiPropertyOptional({ description: 'Replaces the secret; give `apiKey` with it.' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;
}

export class AccountResponse {
  @ApiProperty({ example: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10' })
  id: string;

  @ApiProperty({ enum: EXCHANGE_IDS, example: 'binance' })
  exchange: ExchangeId;

  @ApiProperty({ enum: ACCOUNT_MODES, example: 'sim' })
  mode: AccountMode;

  @ApiProperty({ example: 'Binance (sim)' })
  label: string;

  @ApiProperty({ example: '****h8A', description: 'Masked; the key and secret are never returned' })
  apiKey: string;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-26T12:00:00.000Z' })
  updatedAt: string;
}

export class BalanceEntryResponse {
  @ApiProperty({ example: 'USDT' })
  asset: string;

  @ApiProperty({ example: '9400.5' })
  free: string;

  @ApiProperty({ example: '600' })
  locked: string;

  @ApiProperty({ example: '10000.5' })
  total: string;
}

export class BalancesResponse {
  @ApiProperty({ example: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10' })
  accountId: string;

  @ApiProperty({ type: [BalanceEntryResponse] })
  balances: BalanceEntryResponse[];
}
