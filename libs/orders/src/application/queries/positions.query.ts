import { Logger } from '@nestjs/common';
import { type IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { type ExchangeAccountSummary, ExchangeGateways, type Market, roundAveragePrice } from '@tradedesk/exchanges';
import { type Decimal, roundMoney, roundPercent, UnitOfWork, ZERO } from '@tradedesk/shared';
import { PositionOrmEntity } from '../../infrastructure/persistence/position.orm-entity.js';
import { bookOf } from '../../infrastructure/persistence/position.repository.js';

export class GetPositionsQuery {
  constructor(
    readonly filter: {
      accountId?: string;
      symbol?: string;
      includeClosed?: boolean;
      /** false: no price is read from an exchange (no market value or unrealized PnL), for a caller that needs only quantities and protection. */
      prices?: boolean;
    } = {},
  ) {}
}

/** `native` exchange-held stop, `emulated` server-side condition, `none`. */
export type ProtectionStatus = 'native' | 'emulated' | 'none';

/**
 * What protects these positions — asked by the orders context, answered by the conditions context
 * (which handles it; orders never imports conditions). Without a handler every position is `none`.
 */
export class GetProtectionStatusQuery {
  constructor(readonly positions: ReadonlyArray<{ accountId: string; symbol: string }>) {}
}

/** `accountId symbol` → status; a position missing from the map is `none`. */
export type ProtectionStatuses = Map<string, ProtectionStatus>;

export interface PositionView {
  accountId: string;
  exchange: string;
  symbol: string;
  base: string;
  quote: string;
  quantity: string;
  averageEntry: string | null;
  costBasis: string;
  realizedPnl: string;
  unrealizedPnl: string | null;
  returnPercent: string | null;
  lastPrice: string | null;
  marketValue: string | null;
  otherFees: Record<string, string>;
  /** When the quantity last went from nothing to something; null while flat. */
  openedAt: string | null;
  protection: ProtectionStatus;
}

export interface PositionsReport {
  positions: PositionView[];
  /** Sums over all positions converted with Upbit's USDT/KRW price (absent when no price is known). */
  totals: Record<'KRW' | 'USDT', { marketValue: string; realizedPnl: string; unrealizedPnl: string } | null>;
  usdtKrw: string | null;
}

/** Positions and PnL by the average-cost method, read from the positions table (kept fill by fill). */
@QueryHandler(GetPositionsQuery)
export class GetPositionsHandler implements IQueryHandler<GetPositionsQuery, PositionsReport> {
  private readonly logger = new Logger(GetPositionsHandler.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly queries: QueryBus,
  ) {}

  async execute({ filter }: GetPositionsQuery): Promise<PositionsReport> {
    const where: Partial<Pick<PositionOrmEntity, 'accountId' | 'symbol'>> = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.symbol) where.symbol = filter.symbol;
    const rows = await this.uow.autocommit((manager) =>
      manager.find(PositionOrmEntity, { where, order: { accountId: 'ASC', symbol: 'ASC' } }),
    );
    const books = rows
      .map((row) => ({ accountId: row.accountId, symbol: row.symbol, openedAt: row.openedAt, book: bookOf(row) }))
      .filter(({ book }) => {
        const f = book.figures();
        return filter.includeClosed || !f.quantity.isZero() || !f.realizedPnl.isZero();
      });

    const accountList = await this.gateways.listAccounts();
    const accounts = new Map(accountList.map((a) => [a.id, a]));
    const [[lastPrices, usdtKrw], markets] = await Promise.all([
      this.prices(books, accountList, filter.prices !== false),
      this.marketsOf(books),
    ]);
    const protection = await this.queries
      .execute<GetProtectionStatusQuery, ProtectionStatuses>(new GetProtectionStatusQuery(books))
      .catch(() => new Map<string, ProtectionStatus>());
    const positions: PositionView[] = [];
    const totals = { KRW: { mv: ZERO, rz: ZERO, ur: ZERO }, USDT: { mv: ZERO, rz: ZERO, ur: ZERO } };
    let convertible = usdtKrw !== undefined;
    for (const { accountId, symbol, openedAt, book } of books) {
      const f = book.figures();
      const last = lastPrices.get(`${accountId} ${symbol}`);
      const v = book.valuation(last);
      const market = markets.get(`${accountId} ${symbol}`) ?? { quote: book.quote };
      const money = (d: Decimal) => roundMoney(d, book.quote).toFixed();
      positions.push({
        accountId,
        exchange: accounts.get(accountId)?.exchange ?? 'unknown',
        symbol,
        base: book.base,
        quote: book.quote,
        quantity: f.quantity.toFixed(),
        averageEntry: f.averageEntry ? roundAveragePrice(f.averageEntry, market).toFixed() : null,
        costBasis: money(f.costBasis),
        realizedPnl: money(f.realizedPnl),
        unrealizedPnl: v.unrealizedPnl ? money(v.unrealizedPnl) : null,
        returnPercent: v.returnPercent ? roundPercent(v.returnPercent).toFixed() : null,
        lastPrice: last?.toFixed() ?? null,
        marketValue: v.marketValue ? money(v.marketValue) : null,
        otherFees: Object.fromEntries(Object.entries(f.otherFees).map(([k, d]) => [k, d.toFixed()])),
        openedAt: openedAt?.toISOString() ?? null,
        protection: protection.get(`${accountId} ${symbol}`) ?? 'none',
      });
      if (!usdtKrw || (book.quote !== 'KRW' && book.quote !== 'USDT')) {
        convertible = convertible && (book.quote === 'KRW' || book.quote === 'USDT');
        continue;
      }
      const toKrw = (d: Decimal) => (book.quote === 'KRW' ? d : d.times(usdtKrw));
      const toUsdt = (d: Decimal) => (book.quote === 'USDT' ? d : d.div(usdtKrw));
      const mv = v.marketValue ?? ZERO;
      const ur = v.unrealizedPnl ?? ZERO;
      totals.KRW = { mv: totals.KRW.mv.plus(toKrw(mv)), rz: totals.KRW.rz.plus(toKrw(f.realizedPnl)), ur: totals.KRW.ur.plus(toKrw(ur)) };
      totals.USDT = {
        mv: totals.USDT.mv.plus(toUsdt(mv)),
        rz: totals.USDT.rz.plus(toUsdt(f.realizedPnl)),
        ur: totals.USDT.ur.plus(toUsdt(ur)),
      };
    }
    const present = (t: { mv: Decimal; rz: Decimal; ur: Decimal }, currency: 'KRW' | 'USDT') =>
      convertible
        ? {
            marketValue: roundMoney(t.mv, currency).toFixed(),
            realizedPnl: roundMoney(t.rz, currency).toFixed(),
            unrealizedPnl: roundMoney(t.ur, currency).toFixed(),
          }
        : null;
    return {
      positions,
      totals: { KRW: present(totals.KRW, 'KRW'), USDT: present(totals.USDT, 'USDT') },
      usdtKrw: usdtKrw?.toFixed() ?? null,
    };
  }

  /** Each position's market, for the places its prices are shown with (an account or market gone since: none). */
  private async marketsOf(entries: Array<{ accountId: string; symbol: string }>): Promise<Map<string, Market>> {
    const markets = new Map<string, Market>();
    await Promise.all(
      entries.map(async ({ accountId, symbol }) => {
        try {
          markets.set(`${accountId} ${symbol}`, await (await this.gateways.forAccount(accountId)).market(symbol));
        } catch {
          // Shown with the quote currency's default places.
        }
      }),
    );
    return markets;
  }

  private async lastPrices(entries: Array<{ accountId: string; symbol: string }>): Promise<Map<string, Decimal>> {
    const prices = new Map<string, Decimal>();
    const byAccount = new Map<string, string[]>();
    for (const e of entries) byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), e.symbol]);
    await Promise.all(
      [...byAccount].map(async ([accountId, symbols]) => {
        try {
          const gateway = await this.gateways.forAccount(accountId);
          const tickers = await gateway.fetchTickers(symbols);
          for (const [symbol, ticker] of Object.entries(tickers)) prices.set(`${accountId} ${symbol}`, ticker.last);
        } catch (error) {
          this.logger.warn(`no prices for account ${accountId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    return prices;
  }

  /** Upbit's USDT/KRW market price, from the first Upbit account. */
  /** Each position's last price and Upbit's USDT/KRW, or none when the caller asked for no prices. */
  private async prices(
    entries: Array<{ accountId: string; symbol: string }>,
    accounts: ExchangeAccountSummary[],
    read: boolean,
  ): Promise<[Map<string, Decimal>, Decimal | undefined]> {
    if (!read) return [new Map(), undefined];
    return Promise.all([this.lastPrices(entries), this.usdtKrw(accounts)]);
  }

  private async usdtKrw(accounts: ExchangeAccountSummary[]): Promise<Decimal | undefined> {
    const upbit = accounts.find((a) => a.exchange === 'upbit');
    if (!upbit) return undefined;
    try {
      return (await (await this.gateways.forAccount(upbit.id)).fetchTicker('USDT/KRW')).last;
    } catch {
      return undefined;
    }
  }
}
