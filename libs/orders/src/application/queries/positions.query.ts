import { Injectable, Logger } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type ExchangeAccountSummary, ExchangeGateways } from '@tradedesk/exchanges';
import { type Decimal, UnitOfWork, ZERO } from '@tradedesk/shared';
import { PositionBook } from '../../domain/position-book.js';
import { TradeOrmEntity } from '../../infrastructure/persistence/trade.orm-entity.js';

export class GetPositionsQuery {
  constructor(readonly filter: { accountId?: string; symbol?: string; includeClosed?: boolean } = {}) {}
}

/** `native` exchange-held stop, `emulated` server-side condition, `none`: filled in by the conditions context. */
export type ProtectionStatus = 'native' | 'emulated' | 'none';

/** Answers the protection status of positions; implemented by the conditions context. */
export interface ProtectionStatusProvider {
  protectionOf(positions: Array<{ accountId: string; symbol: string }>): Promise<Map<string, ProtectionStatus>>;
}

/** Where the conditions context plugs in its answer, keeping the dependency conditions → orders. */
@Injectable()
export class ProtectionStatusRegistry {
  private provider: ProtectionStatusProvider | undefined;

  register(provider: ProtectionStatusProvider): void {
    this.provider = provider;
  }

  async protectionOf(positions: Array<{ accountId: string; symbol: string }>): Promise<Map<string, ProtectionStatus>> {
    return (await this.provider?.protectionOf(positions)) ?? new Map();
  }
}

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
  protection: ProtectionStatus;
}

export interface PositionsReport {
  positions: PositionView[];
  /** Sums over all positions converted with Upbit's USDT/KRW price (absent when no price is known). */
  totals: Record<'KRW' | 'USDT', { marketValue: string; realizedPnl: string; unrealizedPnl: string } | null>;
  usdtKrw: string | null;
}

/** Positions and PnL by the average-cost method, from the recorded fills. */
@QueryHandler(GetPositionsQuery)
export class GetPositionsHandler implements IQueryHandler<GetPositionsQuery, PositionsReport> {
  private readonly logger = new Logger(GetPositionsHandler.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly gateways: ExchangeGateways,
    private readonly protection: ProtectionStatusRegistry,
  ) {}

  async execute({ filter }: GetPositionsQuery): Promise<PositionsReport> {
    const where: Partial<Pick<TradeOrmEntity, 'accountId' | 'symbol'>> = {};
    if (filter.accountId) where.accountId = filter.accountId;
    if (filter.symbol) where.symbol = filter.symbol;
    const trades = await this.uow.run(({ manager }) =>
      manager.find(TradeOrmEntity, { where, order: { timestamp: 'ASC', recordedAt: 'ASC', id: 'ASC' } }),
    );
    const books = new Map<string, { accountId: string; symbol: string; book: PositionBook }>();
    for (const t of trades) {
      const key = `${t.accountId} ${t.symbol}`;
      let entry = books.get(key);
      if (!entry) {
        const [base, quote] = t.symbol.split('/') as [string, string];
        entry = { accountId: t.accountId, symbol: t.symbol, book: new PositionBook(base, quote) };
        books.set(key, entry);
      }
      entry.book.apply({ side: t.side, price: t.price, amount: t.amount, fee: t.fee, feeCurrency: t.feeCurrency ?? undefined });
    }

    const accountList = await this.gateways.listAccounts();
    const accounts = new Map(accountList.map((a) => [a.id, a]));
    const [lastPrices, usdtKrw] = await Promise.all([this.lastPrices([...books.values()]), this.usdtKrw(accountList)]);
    const protection = await this.protection.protectionOf([...books.values()]).catch(() => new Map<string, ProtectionStatus>());
    const positions: PositionView[] = [];
    const totals = { KRW: { mv: ZERO, rz: ZERO, ur: ZERO }, USDT: { mv: ZERO, rz: ZERO, ur: ZERO } };
    let convertible = usdtKrw !== undefined;
    for (const { accountId, symbol, book } of books.values()) {
      const f = book.figures();
      if (f.quantity.isZero() && !filter.includeClosed && f.realizedPnl.isZero()) continue;
      const last = lastPrices.get(`${accountId} ${symbol}`);
      const v = book.valuation(last);
      positions.push({
        accountId,
        exchange: accounts.get(accountId)?.exchange ?? 'unknown',
        symbol,
        base: book.base,
        quote: book.quote,
        quantity: f.quantity.toFixed(),
        averageEntry: f.averageEntry?.toFixed() ?? null,
        costBasis: f.costBasis.toFixed(),
        realizedPnl: f.realizedPnl.toFixed(),
        unrealizedPnl: v.unrealizedPnl?.toFixed() ?? null,
        returnPercent: v.returnPercent?.toDecimalPlaces(4).toFixed() ?? null,
        lastPrice: last?.toFixed() ?? null,
        marketValue: v.marketValue?.toFixed() ?? null,
        otherFees: Object.fromEntries(Object.entries(f.otherFees).map(([k, d]) => [k, d.toFixed()])),
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
    const present = (t: { mv: Decimal; rz: Decimal; ur: Decimal }, places: number) =>
      convertible
        ? {
            marketValue: t.mv.toDecimalPlaces(places).toFixed(),
            realizedPnl: t.rz.toDecimalPlaces(places).toFixed(),
            unrealizedPnl: t.ur.toDecimalPlaces(places).toFixed(),
          }
        : null;
    return { positions, totals: { KRW: present(totals.KRW, 0), USDT: present(totals.USDT, 2) }, usdtKrw: usdtKrw?.toFixed() ?? null };
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
