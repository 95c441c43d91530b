import { fixed8 } from '../core/decimal.js';
import type { Account } from '../core/account.js';
import { FEE_RATES } from '../core/settlement.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { isOpenStatus } from '../core/types.js';
import type { SimOrder } from '../core/types.js';
import type { ExchangeFront } from '../http/server.js';
import { jsonResponse } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';
import { accountJson, allOrders, coins, myTrades, orderJson } from './account-views.js';
import { signatureMatches, signedPayload } from './auth.js';
import { BinanceError, mandatory } from './errors.js';
import { bookTicker, depth, depthWeight, eachMarket, exchangeInfo, intParam, klines, ticker24h } from './market-data.js';
import { findListLegs, generatedClientId, marketParam, param, placeOco, placeOrder } from './orders.js';
import type { Params } from './orders.js';
import { cancelJson, orderListJson } from './serialize.js';

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

export const UNKNOWN_OUTCOME_MSG = 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.';

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
    this.route('GET', `${api}/exchangeInfo`, {
      security: 'none',
      weight: 20,
      handle: ({ params, now }) => exchangeInfo(this.sim, params, now),
    });
    this.route('GET', `${api}/ticker/24hr`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 80),
      handle: ({ params, now }) => eachMarket(this.sim, params, (m) => ticker24h(this.sim, m, now)),
    });
    this.route('GET', `${api}/ticker/price`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 4),
      handle: ({ params }) => eachMarket(this.sim, params, (m) => ({ symbol: m.id, price: fixed8(sim.engine.price(m)) })),
    });
    this.route('GET', `${api}/ticker/bookTicker`, {
      security: 'none',
      weight: (p) => (p.has('symbol') ? 2 : 4),
      handle: ({ params }) => eachMarket(this.sim, params, (m) => bookTicker(this.sim, m)),
    });
    this.route('GET', `${api}/avgPrice`, {
      security: 'none',
      weight: 2,
      handle: ({ params, now }) => ({ mins: 5, price: fixed8(sim.engine.price(marketParam(sim, params))), closeTime: now }),
    });
    this.route('GET', `${api}/depth`, {
      security: 'none',
      weight: (p) => depthWeight(Number(p.get('limit') ?? '100')),
      handle: ({ params }) => depth(this.sim, params),
    });
    this.route('GET', `${api}/klines`, { security: 'none', weight: 2, handle: ({ params, now }) => klines(this.sim, params, now) });
    this.route('GET', `${api}/account`, {
      security: 'signed',
      weight: 20,
      handle: ({ account, params, now }) => accountJson(this.sim, account!, params, now),
    });
    this.route('POST', `${api}/order`, { security: 'signed', weight: 1, order: true, handle: (c) => this.newOrder(c, false) });
    this.route('POST', `${api}/order/test`, { security: 'signed', weight: 1, handle: (c) => this.newOrder(c, true) });
    this.route('GET', `${api}/order`, {
      security: 'signed',
      weight: 4,
      handle: ({ account, params }) => orderJson(this.sim, this.lookup(account!, params, -2013, 'Order does not exist.')),
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
        return sim.engine.openOrdersOf('binance', account!.apiKey, market?.id).map((o) => orderJson(this.sim, o));
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
      handle: ({ account, params }) => allOrders(this.sim, account!, params),
    });
    this.route('GET', `${api}/myTrades`, {
      security: 'signed',
      weight: 20,
      handle: ({ account, params }) => myTrades(this.sim, account!, params),
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
    this.route('GET', '/sapi/v1/capital/config/getall', {
      security: 'signed',
      weight: 10,
      handle: ({ account }) => coins(this.sim, account!),
    });
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
}
