import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Decimal, roundMoney } from '@tradedesk/shared';
import { type AccountHoldings, type Portfolio, PortfolioService } from '../../application/portfolio.js';

const portfolioExample = {
  accounts: [
    {
      accountId: '4e12fa55-65fe-426d-b3b1-95d9165849fd',
      exchange: 'upbit',
      mode: 'sim',
      label: 'Upbit (sim)',
      quote: 'KRW',
      value: '18370000',
      assets: [
        { asset: 'BTC', free: '0.1', locked: '0', total: '0.1', price: '83700000', value: '8370000' },
        { asset: 'KRW', free: '10000000', locked: '0', total: '10000000', price: null, value: '10000000' },
      ],
      unvalued: [],
      error: null,
    },
  ],
  totals: { KRW: '18370000', USDT: '13301.95510500' },
  complete: true,
  conversion: {
    usdtKrw: '1381',
    accountId: '4e12fa55-65fe-426d-b3b1-95d9165849fd',
    exchange: 'upbit',
    symbol: 'USDT/KRW',
    source: 'last',
    at: '2026-12-08T00:04:05.000Z',
  },
  at: '2026-12-08T00:04:05.120Z',
};

const text = (value: Decimal | undefined): string | null => value?.toFixed() ?? null;

function presentAccount({ account, valuation, error }: AccountHoldings) {
  const money = (value: Decimal | undefined) => (value && valuation ? roundMoney(value, valuation.quote).toFixed() : null);
  return {
    accountId: account.id,
    exchange: account.exchange,
    mode: account.mode,
    label: account.label,
    quote: valuation?.quote ?? null,
    value: money(valuation?.value),
    assets: (valuation?.assets ?? []).map((a) => ({
      asset: a.asset,
      free: a.free.toFixed(),
      locked: a.locked.toFixed(),
      total: a.total.toFixed(),
      price: text(a.price),
      value: money(a.value),
    })),
    unvalued: valuation?.unvalued ?? [],
    error: error ?? null,
  };
}

@ApiTags('market data')
@Controller('portfolio')
export class PortfolioController {
  constructor(private readonly portfolio: PortfolioService) {}

  @Get()
  @ApiOperation({
    summary: 'What every account holds, valued at last prices, with totals in KRW and USDT',
    description:
      'Each account’s balances (free + locked) valued in its quote currency (Binance USDT, Upbit KRW): coins at the last price of `<coin>/<quote>`. ' +
      'Totals convert with Upbit’s USDT/KRW last price; `conversion` says which rate, from which account and when. ' +
      'An account whose exchange does not answer carries `error` and is left out of the totals, as are coins without a market (`unvalued`); `complete` is then false. ' +
      'Money is rounded to its currency (KRW 0 decimals, USDT 8).',
  })
  @ApiOkResponse({ schema: { example: portfolioExample } })
  async get() {
    const p: Portfolio = await this.portfolio.value();
    return {
      accounts: p.accounts.map(presentAccount),
      totals: {
        KRW: p.totals.KRW ? roundMoney(p.totals.KRW, 'KRW').toFixed() : null,
        USDT: p.totals.USDT ? roundMoney(p.totals.USDT, 'USDT').toFixed() : null,
      },
      complete: p.complete,
      conversion: p.conversion
        ? {
            usdtKrw: p.conversion.usdtKrw.toFixed(),
            accountId: p.conversion.accountId,
            exchange: p.conversion.exchange,
            symbol: p.conversion.symbol,
            source: p.conversion.source,
            at: p.conversion.at.toISOString(),
          }
        : null,
      at: p.at.toISOString(),
    };
  }
}
