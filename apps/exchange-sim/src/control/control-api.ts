import { Dec, parseDecimal } from '../core/decimal.js';
import { validateFault } from '../core/faults.js';
import { EXCHANGES, UPBIT_CAUTION_REASONS } from '../core/markets.js';
import type { ExchangeId, Market, UpbitCautionReason } from '../core/markets.js';
import { bookPatch } from '../core/sim.js';
import type { ExchangeSimulator } from '../core/sim.js';
import type { BookOptions } from '../core/options.js';
import type { RateLimitOptions } from '../core/rate-limits.js';
import type { SimOrder } from '../core/types.js';
import { jsonResponse } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string): ControlError => new ControlError(400, message);

function body(req: SimRequest): Record<string, unknown> {
  if (!req.rawBody) return {};
  try {
    const value = JSON.parse(req.rawBody) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('body must be a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ControlError) throw error;
    throw bad('body is not valid JSON');
  }
}

function exchangeOf(value: unknown, optional: true): ExchangeId | undefined;
function exchangeOf(value: unknown, optional?: false): ExchangeId;
function exchangeOf(value: unknown, optional = false): ExchangeId | undefined {
  if ((value === undefined || value === null || value === '') && optional) return undefined;
  if (value !== 'binance' && value !== 'upbit') throw bad('exchange must be binance or upbit');
  return value;
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw bad(`${name} must be a non-empty string`);
  return value;
}

function decimalOf(value: unknown, name: string): Dec {
  const parsed = parseDecimal(typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined);
  if (!parsed) throw bad(`${name} must be a non-negative decimal (string)`);
  return parsed;
}

/** An exchange order id, as text or as a JSON number (Binance's ids are numbers). */
function orderIdOf(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw bad('orderId must be a string or a number');
  return String(value);
}

function query(req: SimRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined;
}

/** An optional non-negative number of a feed setting. */
function nonNegative(b: Record<string, unknown>, name: string): number | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`${name} must be a non-negative number`);
  return v;
}

/** `{ ASSET: "decimal" }`, assets upper-cased; nothing when absent. */
function balancesOf(value: unknown): Record<string, string> {
  const balances: Record<string, string> = {};
  if (value === undefined) return balances;
  if (typeof value !== 'object' || value === null) throw bad('balances must be an object of decimal strings');
  for (const [asset, amount] of Object.entries(value)) balances[asset.toUpperCase()] = decimalOf(amount, `balances.${asset}`).toFixed();
  return balances;
}

interface AccountJson {
  exchange: ExchangeId;
  apiKey: string;
  balances: Record<string, { free: string; locked: string }>;
  /** Binance: what the key's permissions report. */
  enableWithdrawals?: boolean;
}

/** Unified order view for tests: one shape for both exchanges. */
export function controlOrderJson(order: SimOrder): Record<string, unknown> {
  return {
    exchange: order.exchange,
    id: order.id,
    clientOrderId: order.clientOrderId,
    apiKey: order.apiKey,
    symbol: order.symbol,
    marketId: order.marketId,
    side: order.side,
    type: order.nativeType,
    status: order.status,
    price: order.price,
    stopPrice: order.stopPrice,
    amount: order.quantity,
    cost: order.quoteQuantity,
    filled: order.executedQty,
    filledCost: order.cumQuote,
    fee: order.commission,
    feeAsset: order.commissionAsset,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** `/_sim/*`: the emulator's control API (api.md), for users and tests. */
export class ControlApi {
  constructor(private readonly sim: ExchangeSimulator) {}

  handle = (req: SimRequest): SimResponse => {
    try {
      return jsonResponse(200, this.route(req));
    } catch (error) {
      if (error instanceof ControlError) return jsonResponse(error.status, { error: error.message });
      return jsonResponse(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  private market(exchangeValue: unknown, symbolValue: unknown): Market {
    const exchange = exchangeOf(exchangeValue);
    const symbol = str(symbolValue, 'symbol');
    const market = this.sim.catalog.bySymbolName(exchange, symbol) ?? this.sim.catalog.get(exchange, symbol.toUpperCase());
    if (!market) throw new ControlError(404, `unknown ${exchange} market ${symbol}`);
    return market;
  }

  /** `METHOD /path` → its handler; an unknown pair is a 404. */
  private readonly routes = new Map<string, (req: SimRequest) => unknown>([
    ['GET /health', () => ({ ok: true })],
    ['GET /price', (req) => this.priceJson(this.market(query(req, 'exchange'), query(req, 'symbol')))],
    ['POST /price', (req) => this.setPrice(body(req))],
    ['GET /market-notice', (req) => this.noticeJson(this.market(query(req, 'exchange'), query(req, 'symbol')))],
    ['POST /market-notice', (req) => this.setNotice(body(req))],
    ['GET /prices', (req) => this.pricesJson(exchangeOf(query(req, 'exchange'), true))],
    ['GET /feed', () => this.feedJson()],
    ['POST /feed', (req) => this.setFeed(body(req))],
    ['POST /tick', (req) => this.tick(body(req))],
    ['GET /faults', () => ({ faults: this.sim.faults.list() })],
    ['POST /faults', (req) => this.sim.faults.add(validateFault(body(req)))],
    ['DELETE /faults', () => this.clearFaults()],
    ['GET /orders', (req) => this.ordersJson(exchangeOf(query(req, 'exchange'), true), query(req, 'clientOrderId'), query(req, 'apiKey'))],
    ['POST /fill', (req) => this.fill(body(req))],
    ['GET /accounts', (req) => ({ accounts: this.accountsJson(exchangeOf(query(req, 'exchange'), true)) })],
    ['POST /accounts', (req) => this.upsertAccount(body(req))],
    ['POST /reset', () => this.reset()],
    ['GET /config', () => this.configJson()],
    ['POST /config', (req) => this.updateConfig(body(req))],
    ['GET /requests', (req) => ({ requests: this.sim.requestCountsOf(exchangeOf(query(req, 'exchange'), true)) })],
    ['DELETE /requests', () => this.clearRequests()],
  ]);

  private route(req: SimRequest): unknown {
    const key = `${req.method} ${req.path}`;
    const handler = this.routes.get(key);
    if (!handler) throw new ControlError(404, `unknown control route ${key}`);
    return handler(req);
  }

  private priceJson(market: Market): Record<string, unknown> {
    return { exchange: market.exchange, symbol: market.symbol, price: this.sim.engine.price(market).toFixed() };
  }

  private setPrice(b: Record<string, unknown>): Record<string, unknown> {
    const market = this.market(b.exchange, b.symbol);
    const price = decimalOf(b.price, 'price');
    if (price.isZero()) throw bad('price must be positive');
    this.sim.setPrice(market, price);
    return this.priceJson(market);
  }

  private noticeJson(market: Market): Record<string, unknown> {
    const notice = this.sim.catalog.noticeOf(market);
    return { exchange: market.exchange, symbol: market.symbol, warning: notice.warning, cautions: notice.cautions };
  }

  /** Flags an Upbit market (or clears it with `warning: false, cautions: []`); Binance has no such flags. */
  private setNotice(b: Record<string, unknown>): Record<string, unknown> {
    const market = this.market(b.exchange, b.symbol);
    if (market.exchange !== 'upbit') throw bad('exchange: only Upbit flags markets (market_warning / market_event)');
    const warning = b.warning ?? false;
    if (typeof warning !== 'boolean') throw bad('warning must be true or false');
    const cautions = b.cautions ?? [];
    if (!Array.isArray(cautions)) throw bad(`cautions must be a list of ${UPBIT_CAUTION_REASONS.join(', ')}`);
    for (const reason of cautions) {
      if (!UPBIT_CAUTION_REASONS.includes(reason as UpbitCautionReason))
        throw bad(`cautions: ${String(reason)} is not one of ${UPBIT_CAUTION_REASONS.join(', ')}`);
    }
    this.sim.catalog.setNotice(market, { warning, cautions: [...new Set(cautions as UpbitCautionReason[])] });
    return this.noticeJson(market);
  }

  private pricesJson(exchange: ExchangeId | undefined): Record<string, Record<string, string>> {
    const result: Record<string, Record<string, string>> = {};
    for (const ex of exchange ? [exchange] : EXCHANGES) {
      result[ex] = {};
      for (const m of this.sim.catalog.list(ex)) result[ex][m.symbol] = this.sim.engine.price(m).toFixed();
    }
    return result;
  }

  private setFeed(b: Record<string, unknown>): Record<string, unknown> {
    if (b.mode === 'manual') {
      this.sim.setManualFeed();
    } else if (b.mode === 'random') {
      this.sim.setRandomFeed({
        seed: nonNegative(b, 'seed'),
        tickMs: nonNegative(b, 'tickMs'),
        volatilityBps: nonNegative(b, 'volatilityBps'),
        premium: b.premium === undefined ? undefined : decimalOf(b.premium, 'premium').toFixed(),
      });
    } else if (b.mode === 'replay') {
      return this.startReplay(b);
    } else throw bad('mode must be random, replay or manual');
    return this.feedJson();
  }

  private startReplay(b: Record<string, unknown>): Record<string, unknown> {
    const market = this.market(b.exchange, b.symbol);
    const speed = b.speed === undefined ? 1 : Number(b.speed);
    if (!Number.isFinite(speed) || speed <= 0) throw bad('speed must be a positive number');
    const replay = this.sim.startReplay(market, str(b.csv, 'csv'), speed, b.loop === true);
    return { ...this.feedJson(), ...replay };
  }

  private tick(b: Record<string, unknown>): Record<string, unknown> {
    const count = b.count === undefined ? 1 : Number(b.count);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) throw bad('count must be an integer in [1, 100000]');
    this.sim.advance(count);
    return this.feedJson();
  }

  private clearFaults(): Record<string, unknown> {
    this.sim.faults.clear();
    return { faults: [] };
  }

  /** Orders of every state from the store, the open ones as they stand now, and the rejected requests. */
  private ordersJson(
    exchange: ExchangeId | undefined,
    clientOrderId: string | undefined,
    apiKey: string | undefined,
  ): Record<string, unknown> {
    const sim = this.sim;
    const exchanges = exchange ? [exchange] : EXCHANGES;
    const orders: SimOrder[] = [];
    for (const ex of exchanges) orders.push(...sim.store.listOrders({ exchange: ex, clientOrderId, apiKey }));
    const live = orders.map((o) => sim.engine.findAnyOrder(o.exchange, { id: o.id }) ?? o);
    const rejected = exchanges
      .flatMap((ex) => sim.store.listRejections(ex, clientOrderId))
      .filter((r) => apiKey === undefined || r.apiKey === apiKey);
    return { orders: live.map(controlOrderJson), rejected };
  }

  /** A counterparty arrives: a working open limit order fills at its own price, all of it or `amount`. */
  private fill(b: Record<string, unknown>): Record<string, unknown> {
    const sim = this.sim;
    const exchange = exchangeOf(b.exchange);
    const order =
      b.orderId !== undefined
        ? sim.engine.findAnyOrder(exchange, { id: orderIdOf(b.orderId) })
        : sim.engine.findAnyOrder(exchange, { clientOrderId: str(b.clientOrderId, 'clientOrderId') });
    if (!order) throw new ControlError(404, 'order not found');
    const live = sim.engine.findOrder(exchange, order.apiKey, { id: order.id });
    if (!live || (live.status !== 'NEW' && live.status !== 'PARTIALLY_FILLED') || !live.working || live.price === null) {
      throw new ControlError(409, 'only a working open limit order can be filled');
    }
    sim.engine.forceFill(live, b.amount === undefined ? undefined : decimalOf(b.amount, 'amount'));
    return controlOrderJson(live);
  }

  private upsertAccount(b: Record<string, unknown>): Record<string, unknown> {
    const exchange = exchangeOf(b.exchange);
    const apiKey = str(b.apiKey, 'apiKey');
    const secret = str(b.secret, 'secret');
    const balances = balancesOf(b.balances);
    if (b.enableWithdrawals !== undefined && typeof b.enableWithdrawals !== 'boolean') throw bad('enableWithdrawals must be true or false');
    if (b.enableWithdrawals !== undefined && exchange !== 'binance')
      throw bad('enableWithdrawals: only Binance reports the permissions of a key (Upbit has no such call)');
    // `ifMissing`: create with these balances, but leave an existing account exactly as it is
    // (what tradedesk does on start with SIM_URL, so a restart never refunds a sim account).
    const { created } = this.sim.engine.upsertAccount(exchange, apiKey, secret, balances, b.ifMissing !== true, {
      enableWithdrawals: b.enableWithdrawals,
    });
    return { created, account: this.accountsJson(exchange).find((a) => a.apiKey === apiKey) };
  }

  private reset(): Record<string, unknown> {
    this.sim.reset();
    return { ok: true };
  }

  private updateConfig(b: Record<string, unknown>): Record<string, unknown> {
    if (b.rateLimits !== undefined) this.sim.updateRateLimits(b.rateLimits as RateLimitOptions);
    if (b.book !== undefined) {
      for (const [exchange, options] of Object.entries(b.book as Record<string, BookOptions>)) {
        this.sim.engine.updateBookSettings(exchangeOf(exchange), bookPatch(options));
      }
    }
    return this.configJson();
  }

  private clearRequests(): Record<string, unknown> {
    this.sim.clearRequestCounts();
    return { requests: {} };
  }

  private feedJson(): Record<string, unknown> {
    const state = this.sim.feed.snapshot();
    return {
      mode: state.mode,
      seed: state.seed,
      tick: state.tick,
      tickMs: this.sim.tickMs,
      volatilityBps: state.volatilityBps,
      premium: state.premium,
      ...(state.replay
        ? {
            replay: {
              exchange: state.replay.exchange,
              marketId: state.replay.marketId,
              position: state.replay.position,
              points: state.replay.points.length,
            },
          }
        : {}),
    };
  }

  private configJson(): Record<string, unknown> {
    const book = (ex: ExchangeId): Record<string, unknown> => {
      const c = this.sim.engine.bookSettings(ex);
      return {
        spreadBps: c.spreadBps.toFixed(),
        bookLevels: c.levels,
        levelQuoteDepth: c.levelQuoteDepth.toFixed(),
        levelStepBps: c.levelStepBps.toFixed(),
      };
    };
    return { rateLimits: this.sim.rateLimits, book: { binance: book('binance'), upbit: book('upbit') } };
  }

  private accountsJson(exchange?: ExchangeId): AccountJson[] {
    const result: AccountJson[] = [];
    for (const ex of exchange ? [exchange] : EXCHANGES) {
      for (const account of this.sim.engine.accountsOf(ex)) {
        const balances: Record<string, { free: string; locked: string }> = {};
        for (const b of [...account.balances.values()].sort((x, y) => x.asset.localeCompare(y.asset))) {
          balances[b.asset] = { free: b.free.toFixed(), locked: b.locked.toFixed() };
        }
        result.push({
          exchange: ex,
          apiKey: account.apiKey,
          balances,
          ...(ex === 'binance' ? { enableWithdrawals: account.enableWithdrawals } : {}),
        });
      }
    }
    return result;
  }
}
