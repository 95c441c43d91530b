import { randomUUID } from 'node:crypto';
import { Account, accountFromRecord, accountKey, balanceRow } from './account.js';
import type { AccountBalance } from './account.js';
import { liquidityThrough, walkBook } from './book.js';
import type { Book, BookConfig, Walk } from './book.js';
import { Dec, decMin } from './decimal.js';
import type { PriceFeed } from './feed.js';
import type { MarketHistory } from './history.js';
import { MarketViews } from './market-views.js';
import type { ExchangeId, Market, MarketCatalog } from './markets.js';
import { settleFill } from './settlement.js';
import { marketOutcome, newSimOrder, stopTriggered, tradeOf } from './sim-orders.js';
import type { NewOrder } from './sim-orders.js';
import { OpenOrders } from './open-orders.js';
import { OrderFinder } from './order-finder.js';
import { PendingWrites } from './pending-writes.js';
import type { SimStore } from './store.js';
import { isOpenStatus } from './types.js';
import type { OrderSide, OrderStatus, SimOrder, SimRejection } from './types.js';

/**
 * Accounts, orders and matching. Every public mutation ends in commit(): the changed balances,
 * orders and new trades go to SQLite in one transaction before the caller answers the client.
 */
export class Engine {
  private readonly accounts = new Map<string, Account>();
  private readonly open = new OpenOrders();
  private readonly markets: MarketViews;
  private orderSeq: number;
  private tradeSeq: number;

  private readonly pending: PendingWrites;
  private readonly finder: OrderFinder;

  constructor(
    private readonly store: SimStore,
    private readonly catalog: MarketCatalog,
    feed: PriceFeed,
    bookConfig: Record<ExchangeId, BookConfig>,
  ) {
    this.markets = new MarketViews(feed, bookConfig);
    this.pending = new PendingWrites(store);
    this.finder = new OrderFinder(this.open, store);
    const floor = Number(store.getMeta('seqFloor') ?? '0');
    this.orderSeq = Math.max(store.maxSeq('orders'), floor);
    this.tradeSeq = Math.max(store.maxSeq('trades'), floor);
    for (const record of store.loadAccounts()) this.accounts.set(accountKey(record.exchange, record.apiKey), accountFromRecord(record));
    for (const order of store.loadOpenOrders()) this.open.add(order);
  }

  // ---------------------------------------------------------------- accounts

  account(exchange: ExchangeId, apiKey: string): Account | undefined {
    return this.accounts.get(accountKey(exchange, apiKey));
  }

  accountsOf(exchange: ExchangeId): Account[] {
    return [...this.accounts.values()].filter((a) => a.exchange === exchange);
  }

  accountsByKey(apiKey: string): Account[] {
    return [...this.accounts.values()].filter((a) => a.apiKey === apiKey);
  }

  /**
   * Creates the account, or — when `fund` — sets the listed assets' free balances on an existing
   * one (idempotent) and makes them the state /_sim/reset returns to. `enableWithdrawals`, when
   * given, sets what the key's permissions report (Binance); left out, a new key cannot withdraw
   * and an existing one keeps what it had.
   */
  upsertAccount(
    exchange: ExchangeId,
    apiKey: string,
    secret: string,
    balances: Record<string, string>,
    fund: boolean,
    permissions: { enableWithdrawals?: boolean } = {},
  ): { account: Account; created: boolean } {
    const normalized: Record<string, string> = {};
    for (const [asset, amount] of Object.entries(balances)) normalized[asset.toUpperCase()] = new Dec(amount).toFixed();
    let account = this.account(exchange, apiKey);
    if (account && !fund) return { account, created: false };
    const created = !account;
    if (!account) {
      account = new Account(exchange, apiKey, secret, { ...normalized }, Date.now(), permissions.enableWithdrawals ?? false);
      this.accounts.set(accountKey(exchange, apiKey), account);
    } else {
      account.secret = secret;
      account.seedBalances = { ...account.seedBalances, ...normalized };
      if (permissions.enableWithdrawals !== undefined) account.enableWithdrawals = permissions.enableWithdrawals;
    }
    for (const [asset, amount] of Object.entries(normalized)) {
      const balance = account.balance(asset);
      balance.free = new Dec(amount);
      this.touch(account, balance);
    }
    const record = account.record();
    this.commit(() => this.store.putAccount(record));
    return { account, created };
  }

  // ---------------------------------------------------------------- prices and books

  price(market: Market): Dec {
    return this.markets.price(market);
  }

  book(market: Market): Book {
    return this.markets.book(market);
  }

  bookSettings(exchange: ExchangeId): BookConfig {
    return this.markets.bookSettings(exchange);
  }

  updateBookSettings(exchange: ExchangeId, patch: Partial<BookConfig>): void {
    this.markets.updateBookSettings(exchange, patch);
  }

  history(market: Market): MarketHistory {
    return this.markets.history(market);
  }

  // ---------------------------------------------------------------- order lookups

  openOrdersOf(exchange: ExchangeId, apiKey: string, marketId?: string): SimOrder[] {
    return this.open.ofAccount(exchange, apiKey, marketId);
  }

  /** The open order holding this client order id, if any (Binance: unique among open orders). */
  openOrderByClientId(exchange: ExchangeId, apiKey: string, clientOrderId: string): SimOrder | undefined {
    return this.open.byClientOrderId(exchange, apiKey, clientOrderId);
  }

  findOrder(exchange: ExchangeId, apiKey: string, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    return this.finder.ofAccount(exchange, apiKey, by);
  }

  /** Any order by exchange id or client id, for the control API. */
  findAnyOrder(exchange: ExchangeId, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    return this.finder.any(exchange, by);
  }

  sibling(order: SimOrder): SimOrder | undefined {
    return this.finder.sibling(order);
  }

  // ---------------------------------------------------------------- placing

  /** Needed by callers to check funds for a market buy sized in base before placing it. */
  walk(market: Market, side: OrderSide, want: { qty?: Dec; quote?: Dec; limit?: Dec }): Walk {
    const book = this.book(market);
    return walkBook(side === 'buy' ? book.asks : book.bids, side, market.stepSize, want);
  }

  allocateOrderId(exchange: ExchangeId): { id: string; seq: number } {
    this.orderSeq += 1;
    return { id: exchange === 'binance' ? String(this.orderSeq) : randomUUID(), seq: this.orderSeq };
  }

  private allocateTradeId(exchange: ExchangeId): { id: string; seq: number } {
    this.tradeSeq += 1;
    return { id: exchange === 'binance' ? String(this.tradeSeq) : randomUUID(), seq: this.tradeSeq };
  }

  /** Places validated orders (one, or the legs of an order list) and matches them; funds must have been checked. */
  place(drafts: NewOrder[], ids?: Array<{ id: string; seq: number }>): SimOrder[] {
    const now = Date.now();
    const orders = drafts.map((draft, i) => this.createOrder(draft, ids?.[i] ?? this.allocateOrderId(draft.exchange), now));
    if (orders.length === 2) {
      orders[0].siblingId = orders[1].id;
      orders[1].siblingId = orders[0].id;
    }
    orders.forEach((order, i) => this.execute(order, drafts[i]));
    this.commit();
    return orders;
  }

  private createOrder(draft: NewOrder, ident: { id: string; seq: number }, now: number): SimOrder {
    const order = newSimOrder(draft, ident, now);
    const account = this.mustAccount(order);
    if (draft.lockAmount.greaterThan(0)) {
      const balance = account.balance(draft.lockAsset);
      balance.free = balance.free.minus(draft.lockAmount);
      balance.locked = balance.locked.plus(draft.lockAmount);
      order.locked = draft.lockAmount.toFixed();
      this.touch(account, balance);
    }
    this.pending.order(order);
    return order;
  }

  private execute(order: SimOrder, draft: NewOrder): void {
    const market = draft.market;
    if (order.kind === 'market') {
      const quote = draft.quoteQuantity;
      const want =
        quote !== undefined && draft.quantity === undefined
          ? { quote, limit: draft.priceCap }
          : { qty: draft.quantity!, limit: draft.priceCap };
      const walk = this.walk(market, order.side, want);
      if (order.timeInForce === 'fok' && walk.exhausted) return this.finish(order, 'CANCELED');
      for (const fill of walk.fills) this.fill(order, fill.price, fill.qty, false);
      return this.finish(order, marketOutcome(order, walk));
    }
    if (!order.working) return this.open.add(order);
    this.takeLiquidity(order, market);
    if (!isOpenStatus(order.status)) return;
    if (order.timeInForce === 'IOC' || order.timeInForce === 'ioc')
      return this.finish(order, order.exchange === 'binance' ? 'EXPIRED' : 'CANCELED');
    this.open.add(order);
  }

  /** Taker fills for a working limit order against the levels its price crosses. */
  private takeLiquidity(order: SimOrder, market: Market): void {
    const remaining = this.remaining(order);
    const walk = this.walk(market, order.side, { qty: remaining, limit: new Dec(order.price!) });
    if ((order.timeInForce === 'FOK' || order.timeInForce === 'fok') && walk.qty.lessThan(remaining)) {
      return this.finish(order, order.exchange === 'binance' ? 'EXPIRED' : 'CANCELED');
    }
    for (const fill of walk.fills) this.fill(order, fill.price, fill.qty, false);
  }

  private remaining(order: SimOrder): Dec {
    return new Dec(order.quantity ?? '0').minus(order.executedQty);
  }

  // ---------------------------------------------------------------- fills

  private fill(order: SimOrder, price: Dec, qty: Dec, isMaker: boolean): void {
    const market = this.catalog.get(order.exchange, order.marketId)!;
    const account = this.mustAccount(order);
    const now = Date.now();
    if (order.tradeCount === 0 && order.siblingId) this.activateLeg(order);
    const quote = price.mul(qty);
    const { commission, commissionAsset } = settleFill(order, market, account, price, qty);
    this.touch(account, account.balance(market.base));
    this.touch(account, account.balance(market.quote));

    order.executedQty = new Dec(order.executedQty).plus(qty).toFixed();
    order.cumQuote = new Dec(order.cumQuote).plus(quote).toFixed();
    order.commission = new Dec(order.commission).plus(commission).toFixed();
    order.commissionAsset = commissionAsset;
    order.tradeCount += 1;
    order.updatedAt = now;
    if (order.quantity !== null)
      order.status = new Dec(order.executedQty).greaterThanOrEqualTo(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
    else order.status = 'PARTIALLY_FILLED';
    this.pending.order(order);

    const fillTerms = { price, qty, quote, commission, commissionAsset, isMaker, time: now };
    this.pending.trade(tradeOf(order, this.allocateTradeId(order.exchange), fillTerms));
    this.history(market).onTrade(price, qty, quote, now);
    if (order.status === 'FILLED') this.finish(order, 'FILLED');
  }

  /** Ends an order: status, lock released, out of the open indexes. */
  private finish(order: SimOrder, status: OrderStatus): void {
    order.status = status;
    order.updatedAt = Date.now();
    const locked = new Dec(order.locked);
    if (locked.greaterThan(0)) {
      const account = this.mustAccount(order);
      const balance = account.balance(order.lockedAsset);
      balance.locked = balance.locked.minus(locked);
      balance.free = balance.free.plus(locked);
      order.locked = '0';
      this.touch(account, balance);
    }
    this.open.remove(order);
    this.pending.order(order);
  }

  /**
   * One leg of an OCO starts to execute (fills or triggers): the other leg expires, and this leg
   * takes over the funds the list reserved.
   */
  private activateLeg(order: SimOrder): void {
    const other = this.sibling(order);
    if (other && isOpenStatus(other.status)) this.finish(other, 'EXPIRED');
    const need = order.side === 'buy' ? new Dec(order.price ?? order.stopPrice!).mul(this.remaining(order)) : this.remaining(order);
    const have = new Dec(order.locked);
    if (need.greaterThan(have)) {
      const account = this.mustAccount(order);
      const balance = account.balance(order.lockedAsset);
      const extra = decMin(need.minus(have), balance.free);
      balance.free = balance.free.minus(extra);
      balance.locked = balance.locked.plus(extra);
      order.locked = have.plus(extra).toFixed();
      this.touch(account, balance);
    }
  }

  cancel(order: SimOrder): SimOrder {
    if (isOpenStatus(order.status)) this.finish(order, 'CANCELED');
    const other = this.sibling(order);
    if (other && isOpenStatus(other.status)) this.finish(other, 'CANCELED');
    this.commit();
    return order;
  }

  // ---------------------------------------------------------------- price-driven matching

  /** Matches resting and stop orders of markets whose price just changed. */
  onPricesChanged(keys: string[], persist?: () => void): void {
    const now = Date.now();
    for (const key of keys) {
      const market = this.catalogByKey(key);
      if (!market) continue;
      const last = this.price(market);
      this.history(market).onPrice(last, now);
      const resting = this.open.ofMarket(key);
      if (!resting || resting.size === 0) continue;
      const oldestFirst = [...resting.values()].sort((a, b) => a.seq - b.seq);
      this.matchResting(market, oldestFirst, last, now);
    }
    this.commit(persist);
  }

  /** A market's open orders, oldest first, after its price moved: stops it reached trigger, limits it crosses fill as makers. */
  private matchResting(market: Market, orders: SimOrder[], last: Dec, now: number): void {
    const book = this.book(market);
    for (const order of orders) {
      if (!isOpenStatus(order.status)) continue;
      if (order.working) this.fillCrossedLimit(order, book);
      else if (stopTriggered(order, last)) this.triggerStop(order, market, now);
    }
  }

  /** A triggered stop starts working: a market stop takes the book like a market order, a stop limit what its limit allows. */
  private triggerStop(order: SimOrder, market: Market, now: number): void {
    if (order.siblingId) this.activateLeg(order);
    order.working = true;
    order.workingTime = now;
    order.updatedAt = now;
    this.pending.order(order);
    if (order.kind !== 'stop_loss') return this.takeLiquidity(order, market);
    const walk = this.walk(market, order.side, { qty: this.remaining(order) });
    for (const fill of walk.fills) this.fill(order, fill.price, fill.qty, false);
    if (isOpenStatus(order.status)) this.finish(order, marketOutcome(order, walk));
  }

  /** A resting limit order fills at its own price, as a maker, as far as the book reaches through it. */
  private fillCrossedLimit(order: SimOrder, book: Book): void {
    const limit = new Dec(order.price!);
    const available = liquidityThrough(order.side === 'buy' ? book.asks : book.bids, order.side, limit);
    if (available.greaterThan(0)) this.fill(order, limit, decMin(available, this.remaining(order)), true);
  }

  /** Control API: fills a working limit order at its own price, as a counterparty arriving would. */
  forceFill(order: SimOrder, qty?: Dec): SimOrder {
    const remaining = this.remaining(order);
    const amount = qty ? decMin(qty, remaining) : remaining;
    if (amount.greaterThan(0)) this.fill(order, new Dec(order.price!), amount, true);
    this.commit();
    return order;
  }

  // ---------------------------------------------------------------- reset and bookkeeping

  reset(): void {
    for (const order of this.open.all()) this.pending.forget(order);
    this.open.clear();
    this.store.tx(() => {
      this.store.clearHistory();
      this.store.setMeta('seqFloor', String(Math.max(this.orderSeq, this.tradeSeq)));
      for (const account of this.accounts.values()) {
        account.balances.clear();
        this.store.deleteBalances(account.exchange, account.apiKey);
        for (const [asset, amount] of Object.entries(account.seedBalances)) {
          const balance = account.balance(asset);
          balance.free = new Dec(amount);
          this.store.putBalance(account.exchange, account.apiKey, balanceRow(balance));
        }
      }
    });
  }

  recordRejection(rejection: SimRejection): void {
    this.store.putRejection(rejection);
  }

  commit(extra?: () => void): void {
    this.pending.commit(extra);
  }

  private touch(account: Account, balance: AccountBalance): void {
    this.pending.balance(account, balance);
  }

  private mustAccount(order: SimOrder): Account {
    const account = this.account(order.exchange, order.apiKey);
    if (!account) throw new Error(`order ${order.id} belongs to unknown account`);
    return account;
  }

  private catalogByKey(key: string): Market | undefined {
    const i = key.indexOf(':');
    return this.catalog.get(key.slice(0, i) as ExchangeId, key.slice(i + 1));
  }
}
