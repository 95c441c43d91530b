import type { Account } from '../core/account.js';
import { FEE_RATES } from '../core/settlement.js';
import { MINUTE } from '../core/history.js';
import { upbitKrwTick } from '../core/markets.js';
import type { UpbitGroup } from '../core/rate-limits.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { isOpenStatus } from '../core/types.js';
import type { SimOrder } from '../core/types.js';
import type { ExchangeFront } from '../http/server.js';
import { JSON_TYPE, textResponse, toJson } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';
import { decodeJwt, queryHashInput, sha512Hex, verifyJwtSignature } from './auth.js';
import { UpbitError, invalidAccessKey, invalidQueryPayload, jwtFailure, nonceUsed, orderNotFound, validation } from './errors.js';
import { placeUpbitOrder, upbitMarket } from './orders.js';
import type { UpbitParams } from './orders.js';
import { candlesJson, DAY, marketDetails, marketsOf, orderbooksJson, tickerJson } from './quotation.js';
import { orderState, upbitAccountJson, upbitOrderJson } from './serialize.js';

interface RouteContext {
  params: UpbitParams;
  query: URLSearchParams;
  account?: Account;
  now: number;
}

interface UpbitRoute {
  private: boolean;
  group: UpbitGroup;
  handle(ctx: RouteContext): unknown;
}

function rawJson(status: number, value: unknown, headers: Record<string, string>): SimResponse {
  return { status, body: toJson(value), headers: { 'Content-Type': JSON_TYPE, ...headers } };
}

/** The route's path: the minute candles' unit (`/v1/candles/minutes/5`) is a parameter, not a route of its own. */
function routePath(path: string): { path: string; unit?: string } {
  const minutes = /^\/v1\/candles\/minutes\/(\d+)$/.exec(path);
  return minutes ? { path: '/v1/candles/minutes', unit: minutes[1] } : { path };
}

/** Query parameters, then a JSON body's on top (not for GET); the candles' unit from the path. */
function requestParams(req: SimRequest, unit: string | undefined): UpbitParams {
  let params = queryParams(req.query);
  if (req.rawBody && req.method !== 'GET') {
    try {
      params = { ...params, ...(JSON.parse(req.rawBody) as UpbitParams) };
    } catch {
      throw validation('the request body is not valid JSON');
    }
  }
  if (unit !== undefined) params.unit = unit;
  return params;
}

/** Query parameters as Upbit reads them: `states[]=a&states[]=b` (and ccxt's `uuids[0]=a`) become arrays. */
function queryParams(query: URLSearchParams): UpbitParams {
  const params: UpbitParams = {};
  for (const [k, v] of query) {
    const array = /^(.+)\[\d*\]$/.exec(k);
    if (array) {
      const key = array[1];
      const list = (params[key] as string[] | undefined) ?? [];
      list.push(v);
      params[key] = list;
    } else params[k] = v;
  }
  return params;
}

/** start_time / end_time: epoch milliseconds or a date-time Date.parse reads; absent when not sent. */
function timeParam(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  const n = typeof text !== 'string' ? Number.NaN : /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(n)) throw validation('start_time/end_time does not have a valid value');
  return n;
}

/** The Upbit REST API (`/v1`): quotation routes and the exchange routes signed with a JWT. */
export class UpbitApi implements ExchangeFront {
  readonly exchange = 'upbit' as const;
  private readonly routes = new Map<string, UpbitRoute>();

  constructor(private readonly sim: ExchangeSimulator) {
    this.define();
  }

  handle(req: SimRequest): SimResponse {
    const now = Date.now();
    const { path, unit } = routePath(req.path);
    const route = this.routes.get(`${req.method} ${path}`);
    const headers: Record<string, string> = {};
    try {
      if (!route) throw new UpbitError(404, 'not_found', `${req.method} ${req.path} is not an Upbit route`);
      const params = requestParams(req, unit);
      const account = route.private ? this.authenticate(req) : undefined;
      const refusal = this.rateLimit(route.group, route.private ? account!.apiKey : req.remoteAddress, now, headers);
      if (refusal) return refusal;
      return rawJson(200, route.handle({ params, query: req.query, account, now }), headers);
    } catch (error) {
      if (error instanceof UpbitError) return error.response(headers);
      this.sim.log(
        `exchange-sim upbit ${req.method} ${req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return rawJson(500, { error: { name: 'server_error', message: 'internal error' } }, headers);
    }
  }

  /** Counts the request against its group and writes Remaining-Req; the 429 or 418 answer when over the limit. */
  private rateLimit(group: UpbitGroup, key: string, now: number, headers: Record<string, string>): SimResponse | undefined {
    const verdict = this.sim.upbitLimiter.hit(group, key, now);
    const limit = this.sim.upbitLimiter.limitOf(group);
    const remaining = verdict.kind === 'ok' ? verdict.remaining : 0;
    headers['Remaining-Req'] = `group=${group}; min=${Math.max(0, limit * 60 - verdict.used)}; sec=${remaining}`;
    if (verdict.kind === 'limited') return textResponse(429, 'Too many API requests.', headers);
    if (verdict.kind === 'banned')
      return textResponse(418, `Your IP or access key is blocked for ${verdict.retryAfterSeconds} seconds.`, headers);
    return undefined;
  }

  tooManyRequests(): SimResponse {
    return textResponse(429, 'Too many API requests.');
  }

  private authenticate(req: SimRequest): Account {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) throw jwtFailure();
    const jwt = decodeJwt(header.slice('Bearer '.length).trim());
    if (!jwt) throw jwtFailure();
    const accessKey = jwt.payload.access_key;
    if (typeof accessKey !== 'string') throw jwtFailure();
    const account = this.sim.engine.account('upbit', accessKey);
    if (!account) throw invalidAccessKey();
    if (!verifyJwtSignature(jwt.header.alg, jwt.signingInput, jwt.signature, account.secret)) throw jwtFailure();
    const nonce = jwt.payload.nonce;
    if (typeof nonce !== 'string' || nonce.length === 0) throw jwtFailure();
    const hashInput = queryHashInput(req.method, req.rawQuery, req.rawBody);
    const queryHash = jwt.payload.query_hash;
    if (hashInput !== undefined || queryHash !== undefined) {
      if (typeof queryHash !== 'string' || hashInput === undefined) throw invalidQueryPayload();
      const alg = jwt.payload.query_hash_alg ?? 'SHA512';
      if (alg !== 'SHA512' || sha512Hex(hashInput) !== queryHash.toLowerCase()) throw invalidQueryPayload();
    }
    if (!this.sim.store.claimNonce(accessKey, nonce)) throw nonceUsed();
    return account;
  }

  private route(method: string, path: string, route: UpbitRoute): void {
    this.routes.set(`${method} ${path}`, route);
  }

  private define(): void {
    const sim = this.sim;
    this.route('GET', '/v1/market/all', {
      private: false,
      group: 'market',
      handle: ({ params }) =>
        sim.catalog.list('upbit').map((m) => ({
          market: m.id,
          korean_name: m.koreanName,
          english_name: m.englishName,
          ...(params.isDetails === 'true' ? marketDetails(sim.catalog.noticeOf(m)) : {}),
        })),
    });
    this.route('GET', '/v1/ticker', {
      private: false,
      group: 'ticker',
      handle: ({ params, now }) => marketsOf(sim, params).map((m) => tickerJson(sim, m, now)),
    });
    this.route('GET', '/v1/ticker/all', {
      private: false,
      group: 'ticker',
      handle: ({ params, now }) => {
        const quotes = typeof params.quote_currencies === 'string' ? params.quote_currencies.split(',') : ['KRW'];
        return sim.catalog
          .list('upbit')
          .filter((m) => quotes.includes(m.quote))
          .map((m) => tickerJson(sim, m, now));
      },
    });
    this.route('GET', '/v1/orderbook', {
      private: false,
      group: 'orderbook',
      handle: ({ params, now }) => orderbooksJson(sim, params, now),
    });
    this.route('GET', '/v1/orderbook/instruments', {
      private: false,
      group: 'orderbook',
      handle: ({ params }) =>
        marketsOf(sim, params).map((m) => ({
          market: m.id,
          quote_currency: m.quote,
          tick_size: upbitKrwTick(sim.engine.price(m)).toFixed(),
          supported_levels: [0],
        })),
    });
    this.route('GET', '/v1/candles/minutes', {
      private: false,
      group: 'candles',
      handle: ({ params, now }) => candlesJson(sim, params, Number(params.unit) * MINUTE, now),
    });
    this.route('GET', '/v1/candles/days', {
      private: false,
      group: 'candles',
      handle: ({ params, now }) => candlesJson(sim, params, DAY, now),
    });
    this.route('GET', '/v1/accounts', {
      private: true,
      group: 'default',
      handle: ({ account }) =>
        [...account!.balances.values()]
          .filter((b) => b.asset === 'KRW' || !b.free.plus(b.locked).isZero())
          .sort((a, b) => (a.asset === 'KRW' ? -1 : b.asset === 'KRW' ? 1 : a.asset.localeCompare(b.asset)))
          .map(upbitAccountJson),
    });
    this.route('GET', '/v1/orders/chance', {
      private: true,
      group: 'default',
      handle: ({ account, params }) => this.chance(account!, params),
    });
    this.route('POST', '/v1/orders', {
      private: true,
      group: 'order',
      handle: ({ account, params }) => {
        try {
          return this.orderJson(placeUpbitOrder(sim, account!, params));
        } catch (error) {
          if (error instanceof UpbitError) {
            const str = (v: unknown): string | null => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
            sim.engine.recordRejection({
              exchange: 'upbit',
              apiKey: account!.apiKey,
              clientOrderId: str(params.identifier),
              symbol: str(params.market),
              side: str(params.side),
              type: str(params.ord_type),
              amount: str(params.volume),
              price: str(params.price),
              error: { code: error.errorName, message: error.message },
              createdAt: Date.now(),
            });
          }
          throw error;
        }
      },
    });
    this.route('GET', '/v1/order', {
      private: true,
      group: 'default',
      handle: ({ account, params }) => this.orderJson(this.lookup(account!, params)),
    });
    this.route('DELETE', '/v1/order', {
      private: true,
      group: 'order',
      handle: ({ account, params }) => {
        const order = this.lookup(account!, params);
        if (!isOpenStatus(order.status))
          throw new UpbitError(400, order.status === 'FILLED' ? 'done_order' : 'canceled_order', '이미 체결되었거나 취소된 주문입니다.');
        return this.orderJson(sim.engine.cancel(order));
      },
    });
    this.route('GET', '/v1/orders/open', {
      private: true,
      group: 'default',
      handle: ({ account, params }) => this.openOrders(account!, params),
    });
    this.route('GET', '/v1/orders/closed', {
      private: true,
      group: 'default',
      handle: ({ account, params, now }) => this.closedOrders(account!, params, now),
    });
    this.route('GET', '/v1/orders/uuids', {
      private: true,
      group: 'default',
      handle: ({ account, params }) => {
        const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []);
        const uuids = list(params.uuids);
        const identifiers = list(params.identifiers);
        const orders = [
          ...uuids.map((id) => sim.engine.findOrder('upbit', account!.apiKey, { id })),
          ...identifiers.map((clientOrderId) => sim.engine.findOrder('upbit', account!.apiKey, { clientOrderId })),
        ];
        return orders.filter((o): o is SimOrder => o !== undefined).map((o) => upbitOrderJson(o));
      },
    });
  }

  private orderJson(order: SimOrder): Record<string, unknown> {
    return upbitOrderJson(order, this.sim.store.tradesOfOrder('upbit', order.id));
  }

  private lookup(account: Account, params: UpbitParams): SimOrder {
    const uuid = typeof params.uuid === 'string' && params.uuid !== '' && params.uuid !== 'undefined' ? params.uuid : undefined;
    const identifier = typeof params.identifier === 'string' && params.identifier !== '' ? params.identifier : undefined;
    if (uuid === undefined && identifier === undefined) throw validation('uuid or identifier is required');
    const order = this.sim.engine.findOrder('upbit', account.apiKey, uuid !== undefined ? { id: uuid } : { clientOrderId: identifier });
    if (!order) throw orderNotFound();
    return order;
  }

  private chance(account: Account, params: UpbitParams): unknown {
    const market = upbitMarket(this.sim, typeof params.market === 'string' ? params.market : undefined);
    const fee = FEE_RATES.upbit.toFixed();
    return {
      bid_fee: fee,
      ask_fee: fee,
      maker_bid_fee: fee,
      maker_ask_fee: fee,
      market: {
        id: market.id,
        name: `${market.base}/${market.quote}`,
        order_types: ['limit'],
        order_sides: ['ask', 'bid'],
        bid_types: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'price'],
        ask_types: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'market'],
        bid: { currency: market.quote, price_unit: null, min_total: market.minNotional.toFixed() },
        ask: { currency: market.base, price_unit: null, min_total: market.minNotional.toFixed() },
        max_total: market.maxNotional.toFixed(),
        state: 'active',
      },
      bid_account: upbitAccountJson(account.balance(market.quote)),
      ask_account: upbitAccountJson(account.balance(market.base)),
    };
  }

  private states(params: UpbitParams, allowed: string[], fallback: string[]): string[] {
    const states = Array.isArray(params.states)
      ? (params.states as string[])
      : typeof params.state === 'string'
        ? [params.state]
        : fallback;
    for (const s of states) if (!allowed.includes(s)) throw validation('state does not have a valid value');
    return states;
  }

  private openOrders(account: Account, params: UpbitParams): unknown {
    const market = typeof params.market === 'string' ? upbitMarket(this.sim, params.market) : undefined;
    const states = this.states(params, ['wait', 'watch'], ['wait', 'watch']);
    const limit = Math.max(1, Math.min(Number(params.limit ?? 100) || 100, 100));
    const page = Math.max(1, Number(params.page ?? 1) || 1);
    const orders = this.sim.engine
      .openOrdersOf('upbit', account.apiKey, market?.id)
      .filter((o) => states.includes(orderState(o)))
      .sort((a, b) => (params.order_by === 'asc' ? a.seq - b.seq : b.seq - a.seq));
    return orders.slice((page - 1) * limit, page * limit).map((o) => this.orderJson(o));
  }

  private closedOrders(account: Account, params: UpbitParams, now: number): unknown {
    const market = typeof params.market === 'string' ? upbitMarket(this.sim, params.market) : undefined;
    const states = this.states(params, ['done', 'cancel'], ['done', 'cancel']);
    const limit = Math.max(1, Math.min(Number(params.limit ?? 100) || 100, 1000));
    const end = timeParam(params.end_time) ?? now;
    const start = timeParam(params.start_time) ?? end - 7 * DAY;
    const orders = this.sim.store
      .listOrders({
        exchange: 'upbit',
        apiKey: account.apiKey,
        marketId: market?.id,
        open: false,
        startTime: start,
        endTime: end,
        newestFirst: params.order_by !== 'asc',
      })
      .filter((o) => states.includes(orderState(o)))
      .slice(0, limit);
    return orders.map((o) => this.orderJson(o));
  }
}
