import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { IsSingleLineText } from '@tradedesk/shared';
import { ACCOUNT_MODES, type AccountMode, EXCHANGE_IDS, type ExchangeId } from '../../../domain/exchange-gateway.js';

const PRINTABLE = /^[\x21-\x7e]+$/;

const ALLOW_WITHDRAWAL_KEYS =
  'Binance keys are checked with `GET /sapi/v1/account/apiRestrictions`: a key with withdrawals enabled is refused ' +
  '(400 `ACCOUNT.KEY_CAN_WITHDRAW`, naming `apiKey`) unless this is `true`. tradedesk never withdraws; use a trade-only key. ' +
  "Binance's spot testnet cannot report permissions, so testnet keys are not checked; Upbit's API cannot either, so the " +
  'field is refused for Upbit (400 `ACCOUNT.FIELD_NOT_APPLICABLE`), as for paper accounts.';

export class CreateAccountRequest {
  @ApiProperty({ enum: EXCHANGE_IDS, example: 'binance' })
  @IsIn(EXCHANGE_IDS)
  exchange: ExchangeId;

  @ApiProperty({
    enum: ACCOUNT_MODES,
    example: 'live',
    description:
      '`live` real keys; `testnet` Binance spot testnet; `paper` live public prices and order books of the exchange with ' +
      'simulated balances and fills, no keys (give `paperBalances`, or start with 10,000 USDT on Binance / 10,000,000 KRW ' +
      'on Upbit); `sim` the built-in emulator',
  })
  @IsIn(ACCOUNT_MODES)
  mode: AccountMode;

  @ApiProperty({ example: 'Binance main', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsSingleLineText()
  label: string;

  @ApiPropertyOptional({
    example: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
    description:
      'Required for `live`, `testnet` and `sim`; a `paper` account takes none (400 `ACCOUNT.PAPER_TAKES_NO_KEYS`). ' +
      'Write-only: stored encrypted, never returned',
  })
  @ValidateIf((o: CreateAccountRequest) => o.mode !== 'paper' || o.apiKey !== undefined)
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey?: string;

  @ApiPropertyOptional({
    example: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    description: 'Required with `apiKey`; none for `paper`. Write-only: stored encrypted, never returned',
  })
  @ValidateIf((o: CreateAccountRequest) => o.mode !== 'paper' || o.secret !== undefined)
  @IsString()
  @Length(1, 512)
  @Matches(PRINTABLE, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { USDT: '10000', BTC: '0.05' },
    description:
      '`paper` only: starting balances, asset → decimal string ≥ 0 (each asset must trade on the exchange: ' +
      '400 `ACCOUNT.PAPER_UNKNOWN_ASSET`). Default: `{"USDT":"10000"}` on Binance, `{"KRW":"10000000"}` on Upbit',
  })
  @IsOptional()
  @IsObject()
  paperBalances?: Record<string, string>;

  @ApiPropertyOptional({ type: Boolean, example: false, description: ALLOW_WITHDRAWAL_KEYS })
  @IsOptional()
  @IsBoolean()
  allowWithdrawalKeys?: boolean;
}

export class UpdateAccountRequest {
  @ApiPropertyOptional({ example: 'Binance savings', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsSingleLineText()
  label?: string;

  @ApiPropertyOptional({
    description: 'Replaces the key; give `secret` with it. Checked with a balance call first. Not for a paper account.',
  })
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

  @ApiPropertyOptional({
    type: Boolean,
    example: false,
    description: `With a new \`apiKey\` and \`secret\` only. ${ALLOW_WITHDRAWAL_KEYS}`,
  })
  @IsOptional()
  @IsBoolean()
  allowWithdrawalKeys?: boolean;
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

  @ApiProperty({
    type: String,
    nullable: true,
    example: '****h8A',
    description: 'Masked; the key and secret are never returned. `null` for a paper account, which has no keys',
  })
  apiKey: string | null;

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
