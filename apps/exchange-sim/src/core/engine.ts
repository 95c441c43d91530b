import { randomUUID } from 'node:crypto';
import { buildBook, liquidityThrough, walkBook } from './book.js';
import type { Book, BookConfig, Walk } from './book.js';
import { Dec, ZERO, decMin, roundTo8 } from './decimal.js';
import type { PriceFeed } from './feed.js';
import { MarketHistory } from './history.js';
import { marketKey } from './markets.js';
import type { ExchangeId, Market, MarketCatalog } from './markets.js';
import type { SimStore } from './store.js';
import { isOpenStatus } from './types.js';
import type { AccountRecord, OrderKind, OrderSide, OrderStatus, SimOrder, SimRejection, SimTrade } from './types.js';

export interface AccountBalance {
  asset: string;
  free: Dec;
  locked: Dec;
  avgBuyPrice: Dec;
}

export class Account {
  readonly balances = new Map<string, AccountBalance>();

  constructor(
    readonly exchange: ExchangeId,
    readonly apiKey: string,
    public secret: string,
    public seedBalances: Record<string, string>,
    readonly createdAt: number,
    public enableWithdrawals = false,
  ) {}

  balance(asset: string): AccountBalance {
    let balance = this.balances.get(asset);
    if (!balance) {
      balance = { asset, free: ZERO, locked: ZERO, avgBuyPrice: ZERO };
      this.balances.set(asset, balance);
    }
    return balance;
  }

  record(): AccountRecord {
    return {
      exchange: this.exchange,
      apiKey: this.apiKey,
      secret: this.secret,
      seedBalances: this.seedBalances,
      createdAt: this.createdAt,
      enableWithdrawals: this.enableWithdrawals,
    };
  }
}

/** Taker and maker pay the same on both exchanges at the base VIP level. */
export const FEE_RATES: Record<ExchangeId, Dec> = { binance: new Dec('0.001'), upbit: new Dec('0.0005') };

export interface NewOrder {
  exchange: ExchangeId;
  apiKey: string;
  market: Market;
  clientOrderId: string | null;
  side: OrderSide;
  kind: OrderKind;
  nativeType: string;
  timeInForce: string | null;
  price?: Dec;
  stopPrice?: Dec;
  quantity?: Dec;
  quoteQuantity?: Dec;
  lockAsset: string;
  lockAmount: Dec;
  reservedFee?: Dec;
  orderListId?: number;
  listClientOrderId?: string;
  /** For market-like orders: do not trade past this price (Upbit `best`). */
  priceCap?: Dec;
}

const LIMIT_KINDS: ReadonlySet<OrderKind> = new Set(['limit', 'limit_maker', 'stop_loss_limit', 'take_profit_limit']);

/**
 * Accounts, orders and matching. Every public mutation ends in commit(): the changed balances,
 * orders and new trades go to SQLite in one transaction before the caller answers the client.
 */
export class Engine {
  private readonly accounts = new Map<string, Account>();
  private readonly openById = new Map<string, SimOrder>();
  private readonly openByMarket = new Map<string, Map<string, SimOrder>>();
  private readonly openByClientId = new Map<string, SimOrder>();
  private readonly histories = new Map<string, MarketHistory>();
  private readonly books = new Map<string, { price: string; version: number; book: Book }>();
  private bookVersion = 0;
  private orderSeq: number;
  private tradeSeq: number;

  private readonly dirtyOrders = new Map<string, SimOrder>();
  private readonly dirtyBalances = new Map<string, { account: Account; balance: AccountBalance }>();
  private readonly pendingTrades: SimTrade[] = [];

  constructor(
    private readonly store: SimStore,
    private readonly catalog: MarketCatalog,
    private readonly feed: PriceFeed,
    private readonly bookConfig: Record<ExchangeId, BookConfig>,
  ) {
    const floor = Number(store.getMeta('seqFloor') ?? '0');
    this.orderSeq = Math.max(store.maxSeq('orders'), floor);
    this.tradeSeq = Math.max(store.maxSeq('trades'), floor);
    for (const record of store.loadAccounts()) {
      const account = new Account(
        record.exchange,
        record.apiKey,
        record.secret,
        record.seedBalances,
        record.createdAt,
        record.enableWithdrawals,
      );
      for (const b of record.balances) {
        account.balances.set(b.asset, {
          asset: b.asset,
          free: new Dec(b.free),
          locked: new Dec(b.locked),
          avgBuyPrice: new Dec(b.avgBuyPrice),
        });
      }
      this.accounts.set(accountKey(record.exchange, record.apiKey), account);
    }
    for (const order of store.loadOpenOrders()) this.index(order);
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
    return this.feed.price(market.exchange, market.id);
  }

  book(market: Market): Book {
    const key = marketKey(market.exchange, market.id);
    const priceText = this.feed.priceText(market.exchange, market.id);
    const cached = this.books.get(key);
    if (cached && cached.price === priceText && cached.version === this.bookVersion) return cached.book;
    const book = buildBook(market, new Dec(priceText), this.bookConfig[market.exchange]);
    this.books.set(key, { price: priceText, version: this.bookVersion, book });
    return book;
  }

  bookSettings(exchange: ExchangeId): BookConfig {
    return this.bookConfig[exchange];
  }

  updateBookSettings(exchange: ExchangeId, patch: Partial<BookConfig>): void {
    this.bookConfig[exchange] = { ...this.bookConfig[exchange], ...patch };
    this.bookVersion += 1;
  }

  history(market: Market): MarketHistory {
    const key = marketKey(market.exchange, market.id);
    let history = this.histories.get(key);
    if (!history) {
      history = new MarketHistory(market.synthetic ? 60 : 1440);
      this.histories.set(key, history);
    }
    return history;
  }

  // ---------------------------------------------------------------- order lookups

  openOrdersOf(exchange: ExchangeId, apiKey: string, marketId?: string): SimOrder[] {
    const result: SimOrder[] = [];
    for (const order of this.openById.values()) {
      if (order.exchange === exchange && order.apiKey === apiKey && (marketId === undefined || order.marketId === marketId))
        result.push(order);
    }
    return result.sort((a, b) => a.seq - b.seq);
  }

  /** The open order holding this client order id, if any (Binance: unique among open orders). */
  openOrderByClientId(exchange: ExchangeId, apiKey: string, clientOrderId: string): SimOrder | undefined {
    return this.openByClientId.get(`${exchange}:${apiKey}:${clientOrderId}`);
  }

  findOrder(exchange: ExchangeId, apiKey: string, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    if (by.id !== undefined) {
      const order = this.openById.get(`${exchange}:${by.id}`) ?? this.store.findOrder(exchange, by.id);
      return order && order.apiKey === apiKey ? order : undefined;
    }
    if (by.clientOrderId !== undefined) {
      const open = this.openOrderByClientId(exchange, apiKey, by.clientOrderId);
      if (open) return open;
      return this.store.listOrders({ exchange, apiKey, clientOrderId: by.clientOrderId, newestFirst: true, limit: 1 })[0];
    }
    return undefined;
  }

  /** Any order by exchange id or client id, for the control API. */
  findAnyOrder(exchange: ExchangeId, by: { id?: string; clientOrderId?: string }): SimOrder | undefined {
    if (by.id !== undefined) return this.openById.get(`${exchange}:${by.id}`) ?? this.store.findOrder(exchange, by.id);
    if (by.clientOrderId !== undefined) {
      for (const order of this.openById.values()) if (order.exchange === exchange && order.clientOrderId === by.clientOrderId) return order;
      return this.store.listOrders({ exchange, clientOrderId: by.clientOrderId, newestFirst: true, limit: 1 })[0];
    }
    return undefined;
  }

  sibling(order: SimOrder): SimOrder | undefined {
    if (!order.siblingId) return undefined;
    return this.openById.get(`${order.exchange}:${order.siblingId}`) ?? this.store.findOrder(order.exchange, order.siblingId);
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
    const working = draft.kind !== 'stop_loss' && draft.kind !== 'stop_loss_limit' && draft.kind !== 'take_profit_limit';
    const order: SimOrder = {
      exchange: draft.exchange,
      id: ident.id,
      seq: ident.seq,
      apiKey: draft.apiKey,
      marketId: draft.market.id,
      symbol: draft.market.symbol,
      clientOrderId: draft.clientOrderId,
      side: draft.side,
      kind: draft.kind,
      nativeType: draft.nativeType,
      timeInForce: draft.timeInForce,
      price: draft.price?.toFixed() ?? null,
      stopPrice: draft.stopPrice?.toFixed() ?? null,
      quantity: draft.quantity?.toFixed() ?? null,
      quoteQuantity: draft.quoteQuantity?.toFixed() ?? null,
      executedQty: '0',
      cumQuote: '0',
      commission: '0',
      commissionAsset: null,
      reservedFee: draft.reservedFee?.toFixed() ?? '0',
      status: 'NEW',
      working,
      orderListId: draft.orderListId ?? -1,
      ...(draft.listClientOrderId !== undefined ? { listClientOrderId: draft.listClientOrderId } : {}),
      siblingId: null,
      lockedAsset: draft.lockAsset,
      locked: '0',
      createdAt: now,
      updatedAt: now,
      workingTime: working ? now : null,
      tradeCount: 0,
    };
    const account = this.mustAccount(order);
    if (draft.lockAmount.greaterThan(0)) {
      const balance = account.balance(draft.lockAsset);
      balance.free = balance.free.minus(draft.lockAmount);
      balance.locked = balance.locked.plus(draft.lockAmount);
      order.locked = draft.lockAmount.toFixed();
      this.touch(account, balance);
    }
    this.dirtyOrders.set(orderKey(order), order);
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
      return this.finish(order, this.marketOutcome(order, walk));
    }
    if (!order.working) return this.index(order);
    this.takeLiquidity(order, market);
    if (!isOpenStatus(order.status)) return;
    if (order.timeInForce === 'IOC' || order.timeInForce === 'ioc')
      return this.finish(order, order.exchange === 'binance' ? 'EXPIRED' : 'CANCELED');
    this.index(order);
  }

  private marketOutcome(order: SimOrder, walk: Walk): OrderStatus {
    if (order.exchange === 'upbit') {
      // Upbit ends a market order 'cancel' whenever any of it is left, even dust of a KRW budget.
      if (order.quantity !== null) return new Dec(order.executedQty).equals(order.quantity) ? 'FILLED' : 'CANCELED';
      return new Dec(order.quoteQuantity!).minus(order.cumQuote).greaterThan(0) ? 'CANCELED' : 'FILLED';
    }
    if (order.quantity !== null) return new Dec(order.executedQty).equals(order.quantity) ? 'FILLED' : 'EXPIRED';
    return walk.exhausted || new Dec(order.executedQty).isZero() ? 'EXPIRED' : 'FILLED';
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
    const feeRate = FEE_RATES[order.exchange];
    const baseBal = account.balance(market.base);
    const quoteBal = account.balance(market.quote);
    let commission: Dec;
    let commissionAsset: string;
    if (order.side === 'buy') {
      commission = order.exchange === 'binance' ? roundTo8(qty.mul(feeRate), Dec.ROUND_UP) : roundTo8(quote.mul(feeRate));
      commissionAsset = order.exchange === 'binance' ? market.base : market.quote;
      // What this quantity reserved when the order was placed (at its limit price, plus the Upbit
      // fee reserve) leaves the lock; what it actually cost leaves the account.
      let reserved = LIMIT_KINDS.has(order.kind) ? new Dec(order.price!).mul(qty) : quote;
      if (order.exchange === 'upbit') reserved = reserved.mul(new Dec(1).plus(feeRate));
      reserved = decMin(reserved, new Dec(order.locked));
      const spent = order.exchange === 'upbit' ? quote.plus(commission) : quote;
      quoteBal.locked = quoteBal.locked.minus(reserved);
      quoteBal.free = quoteBal.free.plus(reserved).minus(spent);
      order.locked = new Dec(order.locked).minus(reserved).toFixed();
      if (order.exchange === 'binance') {
        baseBal.free = baseBal.free.plus(qty).minus(commission);
      } else {
        const held = baseBal.free.plus(baseBal.locked);
        baseBal.avgBuyPrice = roundTo8(held.mul(baseBal.avgBuyPrice).plus(quote).div(held.plus(qty)));
        baseBal.free = baseBal.free.plus(qty);
      }
    } else {
      commission = order.exchange === 'binance' ? roundTo8(quote.mul(feeRate), Dec.ROUND_UP) : roundTo8(quote.mul(feeRate));
      commissionAsset = market.quote;
      const consume = decMin(qty, new Dec(order.locked));
      baseBal.locked = baseBal.locked.minus(consume);
      order.locked = new Dec(order.locked).minus(consume).toFixed();
      quoteBal.free = quoteBal.free.plus(quote).minus(commission);
    }
    this.touch(account, baseBal);
    this.touch(account, quoteBal);

    order.executedQty = new Dec(order.executedQty).plus(qty).toFixed();
    order.cumQuote = new Dec(order.cumQuote).plus(quote).toFixed();
    order.commission = new Dec(order.commission).plus(commission).toFixed();
    order.commissionAsset = commissionAsset;
    order.tradeCount += 1;
    order.updatedAt = now;
    if (order.quantity !== null)
      order.status = new Dec(order.executedQty).greaterThanOrEqualTo(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
    else order.status = 'PARTIALLY_FILLED';
    this.dirtyOrders.set(orderKey(order), order);

    this.tradeSeq += 1;
    const trade: SimTrade = {
      exchange: order.exchange,
      id: order.exchange === 'binance' ? String(this.tradeSeq) : randomUUID(),
      seq: this.tradeSeq,
      orderId: order.id,
      apiKey: order.apiKey,
      marketId: order.marketId,
      symbol: order.symbol,
      side: order.side,
      price: price.toFixed(),
      qty: qty.toFixed(),
      quoteQty: quote.toFixed(),
      commission: commission.toFixed(),
      commissionAsset,
      isMaker,
      time: now,
      orderListId: order.orderListId,
    };
    this.pendingTrades.push(trade);
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
    this.unindex(order);
    this.dirtyOrders.set(orderKey(order), order);
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
      const resting = this.openByMarket.get(key);
      if (!resting || resting.size === 0) continue;
      const book = this.book(market);
      for (const order of [...resting.values()].sort((a, b) => a.seq - b.seq)) {
        if (!isOpenStatus(order.status)) continue;
        if (!order.working) {
          if (!stopTriggered(order, last)) continue;
          if (order.siblingId) this.activateLeg(order);
          order.working = true;
          order.workingTime = now;
          order.updatedAt = now;
          this.dirtyOrders.set(orderKey(order), order);
          if (order.kind === 'stop_loss') {
            // A triggered market stop takes what the book offers, like a market order.
            const walk = this.walk(market, order.side, { qty: this.remaining(order) });
            for (const fill of walk.fills) this.fill(order, fill.price, fill.qty, false);
            if (isOpenStatus(order.status)) this.finish(order, this.marketOutcome(order, walk));
            continue;
          }
          this.takeLiquidity(order, market);
          continue;
        }
        const limit = new Dec(order.price!);
        const available = liquidityThrough(order.side === 'buy' ? book.asks : book.bids, order.side, limit);
        if (available.greaterThan(0)) this.fill(order, limit, decMin(available, this.remaining(order)), true);
      }
    }
    this.commit(persist);
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
    for (const order of this.openById.values()) this.dirtyOrders.delete(orderKey(order));
    this.openById.clear();
    this.openByMarket.clear();
    this.openByClientId.clear();
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
    if (this.dirtyOrders.size === 0 && this.dirtyBalances.size === 0 && this.pendingTrades.length === 0 && !extra) return;
    try {
      this.store.tx(() => {
        for (const order of this.dirtyOrders.values()) this.store.putOrder(order);
        for (const { account, balance } of this.dirtyBalances.values())
          this.store.putBalance(account.exchange, account.apiKey, balanceRow(balance));
        for (const trade of this.pendingTrades) this.store.putTrade(trade);
        extra?.();
      });
    } finally {
      this.dirtyOrders.clear();
      this.dirtyBalances.clear();
      this.pendingTrades.length = 0;
    }
  }

  private touch(account: Account, balance: AccountBalance): void {
    this.dirtyBalances.set(`${account.exchange}:${account.apiKey}:${balance.asset}`, { account, balance });
  }

  private mustAccount(order: SimOrder): Account {
    const account = this.account(order.exchange, order.apiKey);
    if (!account) throw new Error(`order ${order.id} belongs to unknown account`);
    return account;
  }

  private index(order: SimOrder): void {
    const key = orderKey(order);
    this.openById.set(key, order);
    const mk = marketKey(order.exchange, order.marketId);
    let resting = this.openByMarket.get(mk);
    if (!resting) {
      resting = new Map();
      this.openByMarket.set(mk, resting);
    }
    resting.set(key, order);
    if (order.clientOrderId) this.openByClientId.set(`${order.exchange}:${order.apiKey}:${order.clientOrderId}`, order);
  }

  private unindex(order: SimOrder): void {
    const key = orderKey(order);
    this.openById.delete(key);
    this.openByMarket.get(marketKey(order.exchange, order.marketId))?.delete(key);
    if (order.clientOrderId) {
      const ck = `${order.exchange}:${order.apiKey}:${order.clientOrderId}`;
      if (this.openByClientId.get(ck) === order) this.openByClientId.delete(ck);
    }
  }

  private catalogByKey(key: string): Market | undefined {
    const i = key.indexOf(':');
    return this.catalog.get(key.slice(0, i) as ExchangeId, key.slice(i + 1));
  }
}

function stopTriggered(order: SimOrder, last: Dec): boolean {
  const stop = new Dec(order.stopPrice!);
  const fallingTrigger = (order.kind === 'stop_loss_limit' || order.kind === 'stop_loss') === (order.side === 'sell');
  return fallingTrigger ? last.lessThanOrEqualTo(stop) : last.greaterThanOrEqualTo(stop);
}

export function stopWouldTrigger(kind: OrderKind, side: OrderSide, stop: Dec, last: Dec): boolean {
  return stopTriggered({ kind, side, stopPrice: stop.toFixed() } as SimOrder, last);
}

function accountKey(exchange: ExchangeId, apiKey: string): string {
  return `${exchange}:${apiKey}`;
}

function orderKey(order: SimOrder): string {
  return `${order.exchange}:${order.id}`;
}

function balanceRow(balance: AccountBalance): { asset: string; free: string; locked: string; avgBuyPrice: string } {
  return {
    asset: balance.asset,
    free: balance.free.toFixed(),
    locked: balance.locked.toFixed(),
    avgBuyPrice: balance.avgBuyPrice.toFixed(),
  };
}
