import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Decimal, isTimeZone, roundMoney, ValidationError, ZERO } from '@tradedesk/shared';
import { PNL_PERIODS } from '../../domain/pnl-periods.js';
import { GetPnlSummaryQuery, type PnlSummary } from '../../application/queries/pnl-summary.query.js';

const DEFAULT_TIME_ZONE = 'Asia/Seoul';

const pnlExample = {
  timeZone: 'Asia/Seoul',
  asOf: '2026-12-08T03:00:00.000Z',
  starts: { today: '2026-12-07T15:00:00.000Z', week: '2026-12-06T15:00:00.000Z', month: '2026-11-30T15:00:00.000Z' },
  realized: { today: { USDT: '12.5', KRW: '0' }, week: { USDT: '12.5', KRW: '-3400' }, month: { USDT: '40.1', KRW: '-3400' } },
  positions: [
    {
      accountId: '…',
      exchange: 'binance',
      symbol: 'BTC/USDT',
      quote: 'USDT',
      quantity: '0.01',
      lastPrice: '51000',
      unrealizedPnl: '9.9',
      exitFeeRate: '0.001',
      exitFee: '0.51',
      unrealizedAfterFees: '9.39',
    },
  ],
  unrealizedAfterFees: { USDT: '9.39' },
  usdtKrw: '1404',
};

const money = (value: Decimal | undefined, currency: string): string | null => (value ? roundMoney(value, currency).toFixed() : null);

function present(summary: PnlSummary) {
  const realized = Object.fromEntries(
    PNL_PERIODS.map((period) => [
      period,
      Object.fromEntries([...summary.realized[period]].map(([quote, value]) => [quote, money(value, quote)])),
    ]),
  );
  const unrealized = new Map<string, Decimal>();
  for (const p of summary.positions) {
    if (p.unrealizedAfterFees) unrealized.set(p.quote, (unrealized.get(p.quote) ?? ZERO).plus(p.unrealizedAfterFees));
  }
  return {
    timeZone: summary.timeZone,
    asOf: summary.asOf.toISOString(),
    starts: Object.fromEntries(PNL_PERIODS.map((period) => [period, summary.starts[period].toISOString()])),
    realized,
    positions: summary.positions.map((p) => ({
      accountId: p.accountId,
      exchange: p.exchange ?? null,
      symbol: p.symbol,
      quote: p.quote,
      quantity: p.quantity.toFixed(),
      lastPrice: p.lastPrice?.toFixed() ?? null,
      unrealizedPnl: money(p.unrealizedPnl, p.quote),
      exitFeeRate: p.exitFeeRate?.toFixed() ?? null,
      exitFee: money(p.exitFee, p.quote),
      unrealizedAfterFees: money(p.unrealizedAfterFees, p.quote),
    })),
    unrealizedAfterFees: Object.fromEntries([...unrealized].map(([quote, value]) => [quote, money(value, quote)])),
    usdtKrw: summary.usdtKrw?.toFixed() ?? null,
  };
}

@ApiTags('positions')
@Controller('pnl')
export class PnlController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Realized PnL today, this week and this month; unrealized PnL after the fee of selling now',
    description:
      'Realized PnL is what sells made against the average entry at the time (buy fees included), summed per quote currency over the sells since each period began: today since local midnight, the week since Monday, the month since the 1st, in `timeZone` (IANA name, default Asia/Seoul). Unrealized PnL after fees is, per open position, quantity × (last − average entry) less the taker fee of selling the whole position at the last price. Positions whose account cannot be priced have null figures.',
  })
  @ApiQuery({ name: 'timeZone', required: false, example: DEFAULT_TIME_ZONE })
  @ApiOkResponse({ schema: { example: pnlExample } })
  @ApiBadRequestResponse({ description: '`REQUEST.VALIDATION_FAILED`: `timeZone` is not an IANA time zone' })
  async summary(@Query('timeZone') timeZone?: string): Promise<ReturnType<typeof present>> {
    const zone = timeZone ?? DEFAULT_TIME_ZONE;
    if (!isTimeZone(zone)) {
      throw new ValidationError('REQUEST.VALIDATION_FAILED', `timeZone: "${zone}" is not an IANA time zone such as Asia/Seoul`, {
        field: 'timeZone',
      });
    }
    return present(await this.queries.execute(new GetPnlSummaryQuery(zone)));
  }
}
