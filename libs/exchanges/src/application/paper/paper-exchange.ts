import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Decimal, UnitOfWork } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import { OrderNotFound } from '../../domain/exchange.errors.js';
import type { Balances, ExchangeCapabilities, ExchangeId, OrderBook, PlaceOrderRequest, Ticker } from '../../domain/exchange-gateway.js';
import {
  cancelPaperOrder,
  duplicateClientOrderId,
  fillRestingOrder,
  PAPER_VENUE_RULES,
  type PaperClock,
  type PaperOrder,
  type PaperTrade,
  type PaperVenue,
  placePaperOrder,
  restingOrderCrossed,
} from '../../domain/paper/paper-matching.js';
import { type PaperOrderKey, PaperLedgerRepository, toPaperOrder } from '../../infrastructure/persistence/paper-ledger.repository.js';

/** An order of a paper account with its fills, as the gateway reports it. */
export interface PaperOrderView {
  order: PaperOrder;
  trades: PaperTrade[];
}

function clock(): PaperClock {
  return { now: new Date(), newId: randomUUID };
}

/**
 * The simulated exchange behind paper accounts: balances, orders and fills kept in tradedesk's own
 * database, each change one transaction under the account's lock, so a restart (or a second
 * instance) sees exactly what was filled. Market data never passes through here: callers bring the
 * book and the prices they fetched from the live exchange.
 */
@Injectable()
export class PaperExchange {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: PaperLedgerRepository,
  ) {}

  /** The paper side of a new account, inside the transaction that stores the account. */
  open(manager: EntityManager, accountId: string, exchange: ExchangeId, startingBalances: Record<string, Decimal>): Promise<void> {
    return this.ledger.createAccount(manager, accountId, exchange, startingBalances);
  }

  remove(manager: EntityManager, accountId: string): Promise<void> {
    return this.ledger.deleteAccount(manager, accountId);
  }

  startingBalances(accountId: string): Promise<Record<string, string> | undefined> {
    return this.ledger.startingBalances(accountId);
  }

  async balances(accountId: string): Promise<Balances> {
    const out: Balances = {};
    for (const balance of (await this.ledger.wallet(accountId)).snapshot()) if (balance.total.greaterThan(0)) out[balance.asset] = balance;
    return out;
  }

  /** Places an order against the book the caller fetched; refusals (funds, reused client id) are the exchange's. */
  place(
    accountId: string,
    venue: PaperVenue,
    clientOrderIdReuse: ExchangeCapabilities['clientOrderIdReuse'],
    request: PlaceOrderRequest,
    book: OrderBook,
  ): Promise<PaperOrderView> {
    return this.uow.run(async ({ manager }) => {
      await this.lock(manager, accountId, venue.exchange);
      const earlier = await this.ledger.ordersWithClientOrderId(manager, accountId, request.clientOrderId);
      // Upbit never takes an identifier twice; Binance only while the first order is open.
      if (clientOrderIdReuse === 'never' ? earlier.length > 0 : earlier.some((o) => o.status === 'open'))
        throw duplicateClientOrderId(venue, request.clientOrderId);
      const wallet = await this.ledger.wallet(accountId, manager);
      const { order, trades } = placePaperOrder(venue, wallet, request, book, clock());
      await this.ledger.saveOrder(manager, accountId, order, trades);
      await this.ledger.saveWallet(manager, accountId, wallet);
      return { order, trades };
    });
  }

  /** Cancels an open order; one that is already done is OrderNotFound, as the exchanges answer. */
  cancel(accountId: string, exchange: ExchangeId, key: PaperOrderKey): Promise<PaperOrderView> {
    return this.uow.run(async ({ manager }) => {
      await this.lock(manager, accountId, exchange);
      const row = await this.ledger.findOrder(accountId, key, manager);
      if (!row || row.status !== 'open') throw orderNotFound(exchange, key);
      const trades = (await this.ledger.tradesOfOrders([row.id], manager)).get(row.id) ?? [];
      const order = toPaperOrder(row, trades);
      const wallet = await this.ledger.wallet(accountId, manager);
      cancelPaperOrder(wallet, order, new Date());
      await this.ledger.saveOrder(manager, accountId, order, []);
      await this.ledger.saveWallet(manager, accountId, wallet);
      return { order, trades };
    });
  }

  async order(accountId: string, exchange: ExchangeId, key: PaperOrderKey): Promise<PaperOrderView> {
    const row = await this.ledger.findOrder(accountId, key);
    if (!row) throw orderNotFound(exchange, key);
    const trades = (await this.ledger.tradesOfOrders([row.id])).get(row.id) ?? [];
    return { order: toPaperOrder(row, trades), trades };
  }

  async openOrders(accountId: string, symbol?: string): Promise<PaperOrderView[]> {
    const rows = await this.ledger.openOrders(accountId, symbol ? [symbol] : undefined);
    const trades = await this.ledger.tradesOfOrders(rows.map((r) => r.id));
    return rows.map((row) => ({ order: toPaperOrder(row, trades.get(row.id) ?? []), trades: trades.get(row.id) ?? [] }));
  }

  trades(accountId: string, symbol: string, since?: Date): Promise<PaperTrade[]> {
    return this.ledger.trades(accountId, symbol, since);
  }

  restingSymbols(accountId: string): Promise<string[]> {
    return this.ledger.restingSymbols(accountId);
  }

  /**
   * Fills the resting orders the polled prices cross. Looks first without writing: most reads
   * find nothing crossed, and they should not queue for the write lock (SQLite has one writer).
   */
  async fillCrossed(
    accountId: string,
    exchange: ExchangeId,
    venues: Map<string, PaperVenue>,
    /** By symbol; the orders of a market without a ticker here are left as they are. */
    tickers: Partial<Record<string, Ticker>>,
  ): Promise<number> {
    const symbols = [...venues.keys()];
    const crossed = (await this.ledger.openOrders(accountId, symbols)).some((row) => {
      const ticker = tickers[row.symbol];
      return row.type === 'limit' && ticker !== undefined && restingOrderCrossed({ side: row.side, price: row.price ?? undefined }, ticker);
    });
    if (!crossed) return 0;
    return this.uow.run(async ({ manager }) => {
      await this.lock(manager, accountId, exchange);
      // Read again under the lock: another request may have filled or cancelled them meanwhile.
      const rows = await this.ledger.openOrders(accountId, symbols, manager);
      const trades = await this.ledger.tradesOfOrders(
        rows.map((r) => r.id),
        manager,
      );
      const wallet = await this.ledger.wallet(accountId, manager);
      const now = clock();
      let filled = 0;
      for (const row of rows) {
        const venue = venues.get(row.symbol);
        const ticker = tickers[row.symbol];
        if (!venue || !ticker) continue;
        const order = toPaperOrder(row, trades.get(row.id) ?? []);
        const fills = fillRestingOrder(venue, wallet, order, ticker, now);
        if (order.status === row.status && fills.length === 0) continue;
        await this.ledger.saveOrder(manager, accountId, order, fills);
        filled += 1;
      }
      await this.ledger.saveWallet(manager, accountId, wallet);
      return filled;
    });
  }

  private async lock(manager: EntityManager, accountId: string, exchange: ExchangeId): Promise<void> {
    if (!(await this.ledger.lockAccount(manager, accountId)))
      // The account was deleted under a gateway still in use: nothing is there to trade.
      throw new OrderNotFound(`Paper account ${accountId} no longer exists`, { exchange, paper: true });
  }
}

function orderNotFound(exchange: ExchangeId, key: PaperOrderKey): OrderNotFound {
  return new OrderNotFound(exchange === 'binance' ? 'Order does not exist.' : 'The order does not exist (paper account)', {
    exchange,
    exchangeCode: PAPER_VENUE_RULES[exchange].orderNotFoundCode,
    ...(key.id !== undefined ? { exchangeOrderId: key.id } : { clientOrderId: key.clientOrderId }),
    paper: true,
  });
}
