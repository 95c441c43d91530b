import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AccountsService } from '../../application/accounts.service.js';
import { AccountResponse, BalancesResponse, CreateAccountRequest, UpdateAccountRequest } from './dto/account.dto.js';
import { presentAccount, presentBalances } from './presenters.js';

const notFound = { description: 'No such account (`ACCOUNT.NOT_FOUND`)' };
const badKeys = {
  description: 'The exchange refused the keys (`EXCHANGE.AUTHENTICATION_FAILED`); nothing was stored',
  schema: {
    example: {
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'Binance refused the API key: Signature for this request is not valid.',
      code: 'EXCHANGE.AUTHENTICATION_FAILED',
      requestId: 'e3b0…',
    },
  },
};

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'List exchange accounts (keys masked)' })
  @ApiOkResponse({ type: [AccountResponse] })
  async list(): Promise<AccountResponse[]> {
    return (await this.accounts.list()).map(presentAccount);
  }

  @Post()
  @ApiOperation({
    summary: 'Add an exchange account',
    description:
      'The keys are checked with one balance call first; only then are they stored, AES-256-GCM encrypted under MASTER_KEY. They are never returned.\n\n' +
      'A Binance key (live, sim) that can withdraw is refused (400 `ACCOUNT.KEY_CAN_WITHDRAW`, naming `apiKey`) unless `allowWithdrawalKeys: true`: ' +
      "tradedesk only trades. Upbit's API does not report a key's permissions: give an Upbit key no withdrawal permission yourself.\n\n" +
      '`mode: "paper"` takes no keys: the account trades simulated balances (`paperBalances`, or 10,000 USDT / 10,000,000 KRW) ' +
      "against the exchange's live order book and prices (PAPER_MARKET_DATA_URL instead when set, the sim-mode emulator when it runs), with the exchange's listed fees and the same " +
      'local order rules as a live account; market orders walk the book, limit orders rest and fill at their price once the market ' +
      'crosses them. Nothing private is ever sent to the exchange. Its market data source is read once first.',
  })
  @ApiCreatedResponse({ type: AccountResponse })
  @ApiBadRequestResponse({
    description:
      'A field is invalid (`REQUEST.VALIDATION_FAILED`), the mode is not available for the exchange (`ACCOUNT.MODE_NOT_SUPPORTED`), ' +
      'keys were given for a paper account (`ACCOUNT.PAPER_TAKES_NO_KEYS`), or its starting balances are not valid ' +
      '(`ACCOUNT.PAPER_BALANCES_INVALID`, `ACCOUNT.PAPER_UNKNOWN_ASSET`, `ACCOUNT.PAPER_BALANCES_NOT_ALLOWED` for other modes), ' +
      'the key can withdraw (`ACCOUNT.KEY_CAN_WITHDRAW`, field `apiKey`; nothing stored) or `allowWithdrawalKeys` does not apply (`ACCOUNT.FIELD_NOT_APPLICABLE`)',
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'apiKey: this Binance API key has withdrawals enabled. tradedesk only trades and never withdraws, …',
        code: 'ACCOUNT.KEY_CAN_WITHDRAW',
        requestId: 'e3b0…',
      },
    },
  })
  @ApiUnprocessableEntityResponse(badKeys)
  @ApiServiceUnavailableResponse({ description: 'The exchange did not answer (`EXCHANGE.UNAVAILABLE`); nothing was stored' })
  async create(@Body() body: CreateAccountRequest): Promise<AccountResponse> {
    return presentAccount(await this.accounts.create(body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One exchange account (keys masked)' })
  @ApiOkResponse({ type: AccountResponse })
  @ApiNotFoundResponse(notFound)
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountResponse> {
    return presentAccount(await this.accounts.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename an account or replace its keys (new keys are checked first, withdrawal permission included; a paper account has none)',
  })
  @ApiOkResponse({ type: AccountResponse })
  @ApiBadRequestResponse({
    description:
      'A field is invalid, only one of `apiKey`/`secret` was given (`ACCOUNT.KEY_PAIR_REQUIRED`), the new key can withdraw ' +
      '(`ACCOUNT.KEY_CAN_WITHDRAW`) or `allowWithdrawalKeys` came without new keys (`ACCOUNT.FIELD_NOT_APPLICABLE`)',
  })
  @ApiNotFoundResponse(notFound)
  @ApiUnprocessableEntityResponse(badKeys)
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateAccountRequest): Promise<AccountResponse> {
    return presentAccount(await this.accounts.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an account and its stored keys (a paper account: its simulated balances, orders and fills too)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse(notFound)
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.accounts.delete(id);
  }

  @Get(':id/balances')
  @ApiOperation({
    summary:
      'Balances of an account: free, locked and total per asset (cached for 2 s, dropped after our own orders; a paper account reads its simulated balances directly)',
  })
  @ApiOkResponse({ type: BalancesResponse })
  @ApiNotFoundResponse(notFound)
  @ApiServiceUnavailableResponse({ description: 'The exchange did not answer (`EXCHANGE.UNAVAILABLE`)' })
  async balances(@Param('id', ParseUUIDPipe) id: string): Promise<BalancesResponse> {
    return { accountId: id, balances: presentBalances(await this.accounts.balances(id)) };
  }
}
