import { Dec, fixed8 } from '../core/decimal.js';
import type { Account } from '../core/account.js';
import { FEE_RATES } from '../core/settlement.js';
import { MINUTE } from '../core/history.js';
import type { Market } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { isOpenStatus } from '../core/types.js';
import type { SimOrder } from '../core/types.js';
import type { ExchangeFront } from '../http/server.js';
import { jsonResponse } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';
import { signatureMatches, signedPayload } from './auth.js';
import { BinanceError, invalidSymbol, mandatory } from './errors.js';
import { findListLegs, generatedClientId, marketParam, param, placeOco, placeOrder } from './orders.js';
import type { Params } from './orders.js';
import { cancelJson, exchangeInfoSymbol, fillJson, myTradeJson, orderListJson, orderQueryJson } from './serialize.js';
import { byCodeUnits } from '../core/code-unit-order.js';

type Security = 'none' | 'apiKey' | 'signed';

interface RouteContext {
  params: Params;
  account?: Account;
  now: number;
}

interface BinanceRoute {
  security: Security;
  weight: number | ((p: Params) => number);
  /** Counts against the per-account order limits. */
  order?: boolean;
  handle(ctx: RouteContext): unknown;
}

const INTERVALS: Partial<Record<string, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
};

export const UNKNOWN_OUTCOME_MSG = 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.';

function intParam(p: Params, name: string, fallback: number, max?: number): number {
  const text = param(p, name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text))
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  const value = Number(text);
  return max !== undefined ? Math.min(value, max) : value;
}

function parseParams(req: SimRequest): Params {
  const params: Params = new Map();
  for (const [k, v] of req.query) params.set(k, v);
  const type = String(req.headers['content-type'] ?? '');
  if (req.rawBody && !type.includes('json')) {
    for (const [k, v] of new URLSearchParams(req.rawBody)) {
      if (params.has(k) && k !== 'signature') throw new BinanceError(-1101, `Duplicate values for parameter '${k}'.`);
      params.set(k, v);
    }
  }
  return params;
}

/** The Binance Spot REST API (`/api/v3`, and the few `/sapi` routes ccxt calls for spot). */
export class BinanceApi implements ExchangeFront {
  readonly exchange = 'binance' as const;
  private readonly routes = new Map<string, BinanceRoute>();

  constructor(private readonly sim: ExchangeSimulator) {
    this.define();
  }

  handle(req: SimRequest): SimResponse {
    const now = Date.now();
    const route = this.routes.get(`${req.method} ${req.path}`);
    const ip = req.remoteAddress;
    const headers: Record<string, string> = {};
    try {
      if (!route) return jsonResponse(404, { code: -1, msg: `Unknown route ${req.method} ${req.path}` });
      const params = parseParams(req);
      const verdict = this.sim.binanceLimiter.weight(ip, typeof route.weight === 'number' ? route.weight : route.weight(params), now);
      headers['X-MBX-USED-WEIGHT-1M'] = String(verdict.used);
      if (verdict.kind === 'limited') return this.limited(ip, verdict.retryAfterSeconds, headers);
      if (verdict.kind === 'banned') {
        return jsonResponse(
          418,
          {
            code: -1003,
            msg: `Way too many requests; IP(${ip}) banned until ${verdict.until}. Please use WebSocket Streams for live updates to avoid bans.`,
          },
          { ...headers, 'Retry-After': String(verdict.retryAfterSeconds) },
        );
      }
      const account = route.security === 'none' ? undefined : this.authenticate(req, params, route.security, now);
      if (route.order && account) {
        const count = this.sim.binanceLimiter.order(account.apiKey, now);
        headers['X-MBX-ORDER-COUNT-10S'] = String(count.count10s);
        headers['X-MBX-ORDER-COUNT-1D'] = String(count.countDay);
        if (!count.ok) {
          return jsonResponse(
            429,
            { code: -1015, msg: `Too many new orders; current limit is ${count.limit} orders per ${count.interval}.` },
            { ...headers, 'Retry-After': '10' },
          );
        }
      }
      return jsonResponse(200, route.handle({ params, account, now }), headers);
    } catch (error) {
      if (error instanceof BinanceError) return error.response(headers);
      this.sim.log(
        `exchange-sim binance ${req.method} ${req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return jsonResponse(500, { code: -1000, msg: 'An unknown error occurred while processing the request.' }, headers);
    }
  }

  tooManyRequests(req: SimRequest): SimResponse {
    return this.limited(req.remoteAddress, 60, {});
  }

  unknownOutcome(): SimResponse {
    return jsonResponse(503, { code: -1007, msg: UNKNOWN_OUTCOME_MSG });
  }

  private limited(ip: string, retryAfter: number, headers: Record<string, string>): SimResponse {
    const limit = this.sim.rateLimits.binance.requestWeightPerMinute;
    return jsonResponse(
      429,
      {
        code: -1003,
        msg: `Too many requests; current limit of IP(${ip}) is ${limit} requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.`,
      },
      { ...headers, 'Retry-After': String(retryAfter) },
    );
  }

  private authenticate(req: SimRequest, params: Params, security: Security, now: number): Account {
    const apiKey = req.headers['x-mbx-apikey'];
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > 256)
      throw new BinanceError(-2014, 'API-key format invalid.', 401);
    const account = this.sim.engine.account('binance', apiKey);
    if (!account) throw new BinanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    if (security === 'apiKey') return account;
    const timestampText = param(params, 'timestamp');
    if (timestampText === undefined) throw mandatory('timestamp');
    const timestamp = intParam(params, 'timestamp', 0);
    const recvWindow = intParam(params, 'recvWindow', 5000);
    if (recvWindow > 60_000 || recvWindow < 0) throw new BinanceError(-1131, 'recvWindow must be less than 60000');
    if (timestamp >= now + 1000) throw new BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now - timestamp > recvWindow) throw new BinanceError(-1021, 'Timestamp for this request is outside of the recvWindow.');
    const { payload, signature } = signedPayload(
      req.rawQuery,
      String(req.headers['content-type'] ?? '').includes('json') ? '' : req.rawBody,
    );
    if (signature === undefined) throw mandatory('signature');
    if (!signatureMatches(account.secret, payload, signature)) throw new BinanceError(-1022, 'Signature for this request is not valid.');
    return account;
  }

  private route(method: string, path: string, route: BinanceRoute): void {
    this.routes.set(`${method} ${path}`, route);
  }

  private define(): void {
    const sim = this.sim;
    const api = '/api/v3';
    this.route('GET', `${api}/ping`, { security: 'none', weight: 1, handle: () => ({}) });
    this.route('GET', `${api}/time`, { security: 'none', weight: 1, handle: ({ now }) => ({ serverTime: now }) });
    this.route('GET', `${api}/exchangeInfo`, { security: 'none', weight: 20, handle: ({ params, now }) => this.exchangeInfo(params, now) });
    this.route('GET', `${api}/ticker/24hr`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 80),
      handle: ({ params, now }) => this.each(params, (m) => this.ticker24h(m, now)),
    });
    this.route('GET', `${api}/ticker/price`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 4),
      handle: ({ params }) => this.each(params, (m) => ({ symbol: m.id, price: fixed8(sim.engine.price(m)) })),
    });
    this.route('GET', `${api}/ticker/bookTicker`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 4),
      handle: ({ params }) => this.each(params, (m) => this.bookTicker(m)),
    });
    this.route('GET', `${api}/avgPrice`, {
      security: 'none',
      weight: 2,
      handle: ({ params, now }) => ({ mins: 5, price: fixed8(sim.engine.price(marketParam(sim, params))), closeTime: now }),
    });
    this.route('GET', `${api}/depth`, {
      security: 'none',
      weight: (p) => depthWeight(Number(p.get('limit') ?? '100')),
      handle: ({ params }) => this.depth(params),
    });
    this.route('GET', `${api}/klines`, { security: 'none', weight: 2, handle: ({ params, now }) => this.klines(params, now) });
    this.route('GET', `${api}/account`, {
      security: 'signed',
      weight: 20,
      handle: ({ account, params, now }) => this.accountJson(account!, params, now),
    });
    this.route('POST', `${api}/order`, { security: 'signed', weight: 1, order: true, handle: (c) => this.newOrder(c, false) });
    this.route('POST', `${api}/order/test`, { security: 'signed', weight: 1, handle: (c) => this.newOrder(c, true) });
    this.route('GET', `${api}/order`, {
      security: 'signed',
      weight: 4,
      handle: ({ account, params }) => this.orderJson(this.lookup(account!, params, -2013, 'Order does not exist.')),
    });
    this.route('DELETE', `${api}/order`, {
      security: 'signed',
      weight: 1,
      handle: ({ account, params, now }) => this.cancel(account!, params, now),
    });
    this.route('GET', `${api}/openOrders`, {
      security: 'signed',
      weight: (p) => (p.has('symbol') ? 6 : 80),
      handle: ({ account, params }) => {
        const market = params.has('symbol') ? marketParam(sim, params) : undefined;
        return sim.engine.openOrdersOf('binance', account!.apiKey, market?.id).map((o) => this.orderJson(o));
      },
    });
    this.route('DELETE', `${api}/openOrders`, {
      security: 'signed',
      weight: 1,
      handle: ({ account, params, now }) => this.cancelAll(account!, params, now),
    });
    this.route('GET', `${api}/allOrders`, {
      security: 'signed',
      weight: 20,
      handle: ({ account, params }) => this.allOrders(account!, params),
    });
    this.route('GET', `${api}/myTrades`, {
      security: 'signed',
      weight: 20,
      handle: ({ account, params }) => this.myTrades(account!, params),
    });
    this.route('POST', `${api}/orderList/oco`, {
      security: 'signed',
      weight: 1,
      order: true,
      handle: ({ account, params }) => this.oco(account!, params),
    });
    this.route('GET', `${api}/orderList`, {
      security: 'signed',
      weight: 4,
      handle: ({ account, params }) => {
        const legs = findListLegs(sim, account!, params);
        return orderListJson(legs, legs[0].listClientOrderId ?? '', legs[0].createdAt);
      },
    });
    this.route('DELETE', `${api}/orderList`, {
      security: 'signed',
      weight: 1,
      handle: ({ account, params, now }) => {
        const legs = findListLegs(sim, account!, params);
        if (!legs.some((l) => isOpenStatus(l.status))) throw new BinanceError(-2011, 'Order list does not exist.');
        sim.engine.cancel(legs[0]);
        const current = legs.map((l) => sim.store.findOrder('binance', l.id) ?? l);
        return orderListJson(current, legs[0].listClientOrderId ?? '', now, 'RESULT');
      },
    });
    this.route('GET', '/sapi/v1/asset/tradeFee', {
      security: 'signed',
      weight: 1,
      handle: ({ params }) => {
        const fee = fixed8(FEE_RATES.binance);
        const markets = params.has('symbol') ? [marketParam(sim, params)] : sim.catalog.list('binance');
        return markets.map((m) => ({ symbol: m.id, makerCommission: fee, takerCommission: fee }));
      },
    });
    this.route('GET', '/sapi/v1/capital/config/getall', { security: 'signed', weight: 10, handle: ({ account }) => this.coins(account!) });
    this.route('GET', '/sapi/v1/margin/allPairs', { security: 'apiKey', weight: 1, handle: () => [] });
    this.route('GET', '/sapi/v1/margin/isolated/allPairs', { security: 'signed', weight: 10, handle: () => [] });
    // The key's permissions, as Binance reports them; only enableWithdrawals varies here (POST /_sim/accounts).
    this.route('GET', '/sapi/v1/account/apiRestrictions', {
      security: 'signed',
      weight: 1,
      handle: ({ account }) => ({
        ipRestrict: false,
        createTime: account!.createdAt,
        enableReading: true,
        enableSpotAndMarginTrading: true,
        enableWithdrawals: account!.enableWithdrawals,
        enableInternalTransfer: false,
        permitsUniversalTransfer: false,
        enableMargin: false,
        enableFutures: false,
        enableVanillaOptions: false,
        enablePortfolioMarginTrading: false,
      }),
    });
  }

  /** `symbol`, `symbols` (JSON array) or every market. */
  private each(params: Params, fn: (m: Market) => unknown): unknown {
    if (params.has('symbol')) return fn(marketParam(this.sim, params));
    const symbols = param(params, 'symbols');
    if (symbols === undefined) return this.sim.catalog.list('binance').map(fn);
    let ids: unknown;
    try {
      ids = JSON.parse(symbols);
    } catch {
      throw new BinanceError(
        -1100,
        'Illegal characters found in parameter \'symbols\'; legal range is \'^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$\'.',
      );
    }
    if (!Array.isArray(ids)) throw invalidSymbol();
    return ids.map((id) => {
      const market = typeof id === 'string' ? this.sim.catalog.get('binance', id) : undefined;
      if (!market) throw invalidSymbol();
      return fn(market);
    });
  }

  private exchangeInfo(params: Params, now: number): unknown {
    const limits = this.sim.rateLimits.binance;
    const symbols = this.each(params, (m) => exchangeInfoSymbol(m));
    return {
      timezone: 'UTC',
      serverTime: now,
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.requestWeightPerMinute },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: limits.ordersPerDay },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ],
      exchangeFilters: [],
      symbols: Array.isArray(symbols) ? symbols : [symbols],
    };
  }

  private bookTicker(m: Market): Record<string, unknown> {
    const book = this.sim.engine.book(m);
    const bid = book.bids[0];
    const ask = book.asks[0];
    return {
      symbol: m.id,
      bidPrice: fixed8(bid?.price ?? new Dec(0)),
      bidQty: fixed8(bid?.qty ?? new Dec(0)),
      askPrice: fixed8(ask?.price ?? new Dec(0)),
      askQty: fixed8(ask?.qty ?? new Dec(0)),
    };
  }

  private ticker24h(m: Market, now: number): Record<string, unknown> {
    const last = this.sim.engine.price(m);
    const stats = this.sim.engine.history(m).stats24h(now, last);
    const change = last.minus(stats.open);
    const vwap = stats.volume.isZero() ? last : stats.quoteVolume.div(stats.volume).toDecimalPlaces(8);
    return {
      symbol: m.id,
      priceChange: fixed8(change),
      priceChangePercent: change.div(stats.open).mul(100).toFixed(3),
      weightedAvgPrice: fixed8(vwap),
      prevClosePrice: fixed8(stats.open),
      lastPrice: fixed8(last),
      lastQty: '0.00000000',
      ...this.bookTicker(m),
      openPrice: fixed8(stats.open),
      highPrice: fixed8(stats.high),
      lowPrice: fixed8(stats.low),
      volume: fixed8(stats.volume),
      quoteVolume: fixed8(stats.quoteVolume),
      openTime: stats.openTime,
      closeTime: now,
      firstId: -1,
      lastId: -1,
      count: stats.trades,
    };
  }

  private depth(params: Params): unknown {
    const market = marketParam(this.sim, params);
    const limit = Math.max(1, Math.min(intParam(params, 'limit', 100), 5000));
    const book = this.sim.engine.book(market);
    const side = (levels: typeof book.bids): string[][] => levels.slice(0, limit).map((l) => [fixed8(l.price), fixed8(l.qty)]);
    return { lastUpdateId: this.sim.feed.tick + 1, bids: side(book.bids), asks: side(book.asks) };
  }

  private klines(params: Params, now: number): unknown {
    const market = marketParam(this.sim, params);
    const interval = param(params, 'interval');
    if (interval === undefined) throw mandatory('interval');
    const periodMs = INTERVALS[interval];
    if (periodMs === undefined) throw new BinanceError(-1120, 'Invalid interval.');
    const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
    const to = intParam(params, 'endTime', now);
    const from = intParam(params, 'startTime', 0);
    return this.sim.engine
      .history(market)
      .aggregate(periodMs, limit, to, this.sim.engine.price(market))
      .filter((c) => c.start >= from - (from % periodMs))
      .map((c) => [
        c.start,
        fixed8(c.open),
        fixed8(c.high),
        fixed8(c.low),
        fixed8(c.close),
        fixed8(c.volume),
        c.start + periodMs - 1,
        fixed8(c.quoteVolume),
        c.trades,
        '0.00000000',
        '0.00000000',
        '0',
      ]);
  }

  private accountJson(account: Account, params: Params, now: number): unknown {
    const omitZero = param(params, 'omitZeroBalances') === 'true';
    const assets = new Set([...this.sim.catalog.assets('binance'), ...account.balances.keys()]);
    const balances = [...assets]
      .sort(byCodeUnits)
      .map((asset) => account.balance(asset))
      .filter((b) => !omitZero || !b.free.plus(b.locked).isZero())
      .map((b) => ({ asset: b.asset, free: fixed8(b.free), locked: fixed8(b.locked) }));
    const fee = fixed8(FEE_RATES.binance);
    return {
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: fee, taker: fee, buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      canWithdraw: false,
      canDeposit: false,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: now,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: uidOf(account.apiKey),
    };
  }

  /**
   * The order as GET /api/v3/order shows it, plus what ccxt needs for a complete fee: the fills
   * (Binance itself only returns them on placement) or, before any fill, a zero fee in the quote.
   */
  private orderJson(order: SimOrder): Record<string, unknown> {
    const json = orderQueryJson(order);
    return withFees(this.sim, order, json);
  }

  private newOrder({ account, params }: RouteContext, test: boolean): unknown {
    try {
      return placeOrder(this.sim, account!, params, test);
    } catch (error) {
      if (error instanceof BinanceError && !test) {
        this.sim.engine.recordRejection({
          exchange: 'binance',
          apiKey: account!.apiKey,
          clientOrderId: param(params, 'newClientOrderId') ?? null,
          symbol: param(params, 'symbol') ?? null,
          side: param(params, 'side') ?? null,
          type: param(params, 'type') ?? null,
          amount: param(params, 'quantity') ?? param(params, 'quoteOrderQty') ?? null,
          price: param(params, 'price') ?? null,
          error: { code: String(error.code), message: error.msg },
          createdAt: Date.now(),
        });
      }
      throw error;
    }
  }

  private oco(account: Account, params: Params): unknown {
    return placeOco(this.sim, account, params);
  }

  private lookup(account: Account, params: Params, code: number, msg: string): SimOrder {
    const market = marketParam(this.sim, params);
    const orderId = param(params, 'orderId');
    const clientOrderId = param(params, 'origClientOrderId');
    if (orderId === undefined && clientOrderId === undefined) {
      throw new BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    }
    if (orderId !== undefined && !/^\d+$/.test(orderId))
      throw new BinanceError(-1100, "Illegal characters found in parameter 'orderId'; legal range is '^[0-9]{1,20}$'.");
    const order = this.sim.engine.findOrder('binance', account.apiKey, orderId !== undefined ? { id: orderId } : { clientOrderId });
    if (!order || order.marketId !== market.id) throw new BinanceError(code, msg);
    if (orderId !== undefined && clientOrderId !== undefined && order.clientOrderId !== clientOrderId) throw new BinanceError(code, msg);
    return order;
  }

  private cancel(account: Account, params: Params, now: number): unknown {
    const order = this.lookup(account, params, -2011, 'Unknown order sent.');
    if (!isOpenStatus(order.status)) throw new BinanceError(-2011, 'Unknown order sent.');
    this.sim.engine.cancel(order);
    return cancelJson(order, param(params, 'newClientOrderId') ?? generatedClientId(), now);
  }

  private cancelAll(account: Account, params: Params, now: number): unknown {
    const market = marketParam(this.sim, params);
    const open = this.sim.engine.openOrdersOf('binance', account.apiKey, market.id);
    if (open.length === 0) throw new BinanceError(-2011, 'Unknown order sent.');
    return open.map((order) => cancelJson(this.sim.engine.cancel(order), generatedClientId(), now));
  }

  private allOrders(account: Account, params: Params): unknown {
    const market = marketParam(this.sim, params);
    const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
    const orderId = param(params, 'orderId');
    const startTime = param(params, 'startTime');
    const endTime = param(params, 'endTime');
    const orders = this.sim.store.listOrders({
      exchange: 'binance',
      apiKey: account.apiKey,
      marketId: market.id,
      fromSeq: orderId !== undefined ? intParam(params, 'orderId', 0) : undefined,
      startTime: startTime !== undefined ? intParam(params, 'startTime', 0) : undefined,
      endTime: endTime !== undefined ? intParam(params, 'endTime', 0) : undefined,
      newestFirst: orderId === undefined && startTime === undefined,
      limit,
    });
    if (orderId === undefined && startTime === undefined) orders.reverse();
    return orders.map((o) => this.orderJson(this.sim.engine.findOrder('binance', account.apiKey, { id: o.id }) ?? o));
  }

  private myTrades(account: Account, params: Params): unknown {
    const market = marketParam(this.sim, params);
    const limit = Math.max(1, Math.min(intParam(params, 'limit', 500), 1000));
    const fromId = param(params, 'fromId');
    const startTime = param(params, 'startTime');
    const endTime = param(params, 'endTime');
    return this.sim.store
      .listTrades({
        exchange: 'binance',
        apiKey: account.apiKey,
        marketId: market.id,
        orderId: param(params, 'orderId'),
        fromSeq: fromId !== undefined ? intParam(params, 'fromId', 0) : undefined,
        startTime: startTime !== undefined ? intParam(params, 'startTime', 0) : undefined,
        endTime: endTime !== undefined ? intParam(params, 'endTime', 0) : undefined,
        limit,
      })
      .map(myTradeJson);
  }

  private coins(account: Account): unknown {
    return this.sim.catalog.assets('binance').map((coin) => {
      const b = account.balance(coin);
      return {
        coin,
        name: coin,
        depositAllEnable: false,
        withdrawAllEnable: false,
        free: fixed8(b.free),
        locked: fixed8(b.locked),
        freeze: '0',
        withdrawing: '0',
        ipoing: '0',
        ipoable: '0',
        storage: '0',
        isLegalMoney: false,
        trading: true,
        networkList: [],
      };
    });
  }
}

export function withFees(sim: ExchangeSimulator, order: SimOrder, json: Record<string, unknown>): Record<string, unknown> {
  if (order.tradeCount > 0) {
    if (!Array.isArray(json.fills)) json.fills = sim.store.tradesOfOrder('binance', order.id).map(fillJson);
  } else {
    json.fills = [];
    json.fee = '0';
    json.quoteAsset = sim.catalog.get('binance', order.marketId)?.quote ?? '';
  }
  return json;
}

function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

function uidOf(apiKey: string): number {
  let h = 0;
  for (const c of apiKey) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 100_000_000 + (h % 900_000_000);
}
