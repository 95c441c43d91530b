import { Logger } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type ExchangeAccountSummary, ExchangeGateways } from '@tradedesk/exchanges';
import { type Decimal, dec, UnitOfWork, ZERO } from '@tradedesk/shared';
import { periodStarts, PNL_PERIODS, type PnlPeriod } from '../../domain/pnl-periods.js';
import type { PositionBook } from '../../domain/position-book.js';
import { type PositionEntry, realizedByPeriod } from '../../domain/realized-by-period.js';
import { PositionEventOrmEntity } from '../../infrastructure/persistence/position-event.orm-entity.js';
import { TradeOrmEntity } from '../../infrastructure/persistence/trade.orm-entity.js';

/** Realized PnL today, this week and this month in a time zone, and unrealized PnL after the fee of selling now. */
export class GetPnlSummaryQuery {
  constructor(
    readonly timeZone: string,
    readonly now: Date = new Date(),
  ) {}
}

export interface OpenPositionPnl {
  accountId: string;
  exchange?: string;
  symbol: string;
  quote: string;
  quantity: Decimal;
  lastPrice?: Decimal;
  /** qty × (last − average entry); buy fees are in the average already. */
  unrealizedPnl?: Decimal;
  /** The account's taker rate on this market. */
  exitFeeRate?: Decimal;
  /** What selling the whole position at the last price would cost in fees. */
  exitFee?: Decimal;
  unrealizedAfterFees?: Decimal;
}

export interface PnlSummary {
  timeZone: string;
  asOf: Date;
  starts: Record<PnlPeriod, Date>;
  /** Per period, per quote currency. */
  realized: Record<PnlPeriod, Map<string, Decimal>>;
  positions: OpenPositionPnl[];
  /** Upbit's USDT/KRW last price, for totals in one currency; undefined when unknown. */
  usdtKrw?: Decimal;
  usdtKrwAccountId?: string;
}

interface Keyed {
  key: string;
  recordedAt: number;
  entry: PositionEntry;
}

@QueryHandler(GetPnlSummaryQuery)
export class GetPnlSummaryHandler implements IQueryHandler<GetPnlSummaryQuery, PnlSummary> {
  private readonly logger = new Logger(GetPnlSummaryHandler.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
  ) {}

  async execute({ timeZone, now }: GetPnlSummaryQuery): Promise<PnlSummary> {
    const starts = periodStarts(now, timeZone);
    const histories = await this.histories();
    const realized: PnlSummary['realized'] = { today: new Map(), week: new Map(), month: new Map() };
    const open: Array<{ accountId: string; symbol: string; book: PositionBook }> = [];
    for (const [key, entries] of histories) {
      const [accountId, symbol] = key.split(' ') as [string, string];
      const [base, quote] = symbol.split('/') as [string, string];
      const replay = realizedByPeriod(base, quote, entries, starts);
      for (const period of PNL_PERIODS) {
        const sums = realized[period];
        sums.set(quote, (sums.get(quote) ?? ZERO).plus(replay.realized[period]));
      }
      if (!replay.book.figures().quantity.isZero()) open.push({ accountId, symbol, book: replay.book });
    }
    const accounts = await this.gateways.listAccounts();
    const [positions, rate] = await Promise.all([this.valueOpen(open, accounts), this.usdtKrw(accounts)]);
    return { timeZone, asOf: now, starts, realized, positions, ...rate };
  }

  /** Every position's fills and adoptions in the order they were recorded, keyed `accountId symbol`. */
  private async histories(): Promise<Map<string, PositionEntry[]>> {
    const [trades, adoptions] = await this.uow.autocommit((manager) =>
      Promise.all([
        manager.find(TradeOrmEntity, {
          select: {
            accountId: true,
            symbol: true,
            side: true,
            price: true,
            amount: true,
            fee: true,
            feeCurrency: true,
            timestamp: true,
            recordedAt: true,
          },
        }),
        manager.find(PositionEventOrmEntity, { where: { event: 'adopted' } }),
      ]),
    );
    const keyed: Keyed[] = [
      ...trades.map((t) => ({
        key: `${t.accountId} ${t.symbol}`,
        recordedAt: t.recordedAt.getTime(),
        entry: {
          kind: 'fill' as const,
          at: t.timestamp,
          fill: { side: t.side, price: t.price, amount: t.amount, fee: t.fee, ...(t.feeCurrency ? { feeCurrency: t.feeCurrency } : {}) },
        },
      })),
      ...adoptions.map((a) => {
        const details = JSON.parse(a.details ?? '{}') as { amount?: string; averageEntry?: string };
        return {
          key: `${a.accountId} ${a.symbol}`,
          recordedAt: a.at.getTime(),
          entry: { kind: 'adoption' as const, amount: dec(details.amount ?? '0'), averageEntry: dec(details.averageEntry ?? '0') },
        };
      }),
    ];
    // Recorded order is the order the positions table took them in; sort is stable for ties.
    keyed.sort((a, b) => a.recordedAt - b.recordedAt);
    const byPosition = new Map<string, PositionEntry[]>();
    for (const { key, entry } of keyed) byPosition.set(key, [...(byPosition.get(key) ?? []), entry]);
    return byPosition;
  }

  /** Open positions at their account's last price, less the fee of selling them there (an account gone since: no price). */
  private async valueOpen(
    open: Array<{ accountId: string; symbol: string; book: PositionBook }>,
    accounts: ExchangeAccountSummary[],
  ): Promise<OpenPositionPnl[]> {
    const exchanges = new Map(accounts.map((a) => [a.id, a.exchange]));
    return Promise.all(
      open.map(async ({ accountId, symbol, book }) => {
        const quantity = book.figures().quantity;
        const line: OpenPositionPnl = { accountId, exchange: exchanges.get(accountId), symbol, quote: book.quote, quantity };
        try {
          const gateway = await this.gateways.forAccount(accountId);
          const [ticker, fee] = await Promise.all([gateway.fetchTicker(symbol), gateway.fetchTradingFee(symbol)]);
          const unrealized = book.valuation(ticker.last).unrealizedPnl ?? ZERO;
          const exitFee = quantity.times(ticker.last).times(fee.taker);
          Object.assign(line, {
            lastPrice: ticker.last,
            unrealizedPnl: unrealized,
            exitFeeRate: fee.taker,
            exitFee,
            unrealizedAfterFees: unrealized.minus(exitFee),
          });
        } catch (error) {
          this.logger.warn(`no price for ${symbol} of account ${accountId}: ${error instanceof Error ? error.message : String(error)}`);
        }
        return line;
      }),
    );
  }

  private async usdtKrw(accounts: ExchangeAccountSummary[]): Promise<{ usdtKrw?: Decimal; usdtKrwAccountId?: string }> {
    const upbit = accounts.find((a) => a.exchange === 'upbit');
    if (!upbit) return {};
    try {
      return { usdtKrw: (await (await this.gateways.forAccount(upbit.id)).fetchTicker('USDT/KRW')).last, usdtKrwAccountId: upbit.id };
    } catch {
      return {};
    }
  }
}
