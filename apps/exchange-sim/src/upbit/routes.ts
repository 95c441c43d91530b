import { Dec } from '../core/decimal.js';
import type { Account } from '../core/engine.js';
import { FEE_RATES } from '../core/engine.js';
import { MINUTE } from '../core/history.js';
import { upbitKrwTick } from '../core/markets.js';
import type { Market } from '../core/markets.js';
import type { UpbitGroup } from '../core/rate-limits.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { isOpenStatus } from '../core/types.js';
import type { SimOrder } from '../core/types.js';
import type { ExchangeFront } from '../http/server.js';
import { JSON_TYPE, RawNumber, textResponse, toJson } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';
import { decodeJwt, queryHashInput, sha512Hex, verifyJwtSignature } from './auth.js';
import { UpbitError, invalidAccessKey, invalidQueryPayload, jwtFailure, nonceUsed, orderNotFound, validation } from './errors.js';
import { placeUpbitOrder, upbitMarket } from './orders.js';
import type { UpbitParams } from './orders.js';
import { kst, orderState, upbitAccountJson, upbitOrderJson, utcNoZone } from './serialize.js';

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

const num = (d: Dec): RawNumber => new RawNumber(d.toFixed());
const DAY = 1440 * MINUTE;

function rawJson(status: number, value: unknown, headers: Record<string, string>): SimResponse {
  return { status, body: toJson(value), headers: { 'Content-Type': JSON_TYPE, ...headers } };
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

/** The Upbit REST API (`/v1`): quotation routes and the exchange routes signed with a JWT. */
export class UpbitApi implements ExchangeFront {
  readonly exchange = 'upbit' as const;
  private readonly routes = new Map<string, UpbitRoute>();

  constructor(private readonly sim: ExchangeSimulator) {
    this.define();
  }

  handle(req: SimRequest): SimResponse {
    const now = Date.now();
    let path = req.path;
    let unit: string | undefined;
    const minutes = /^\/v1\/candles\/minutes\/(\d+)$/.exec(path);
    if (minutes) {
      unit = minutes[1];
      path = '/v1/candles/minutes';
    }
    const route = this.routes.get(`${req.method} ${path}`);
    const headers: Record<string, string> = {};
    try {
      if (!route) throw new UpbitError(404, 'not_found', `${req.method} ${req.path} is not an Upbit route`);
      let params = queryParams(req.query);
      if (req.rawBody && req.method !== 'GET') {
        try {
          params = { ...params, ...(JSON.parse(req.rawBody) as UpbitParams) };
        } catch {
          throw validation('the request body is not valid JSON');
        }
      }
      if (unit !== undefined) params.unit = unit;
      const account = route.private ? this.authenticate(req) : undefined;
      const key = route.private ? account!.apiKey : req.remoteAddress;
      const verdict = this.sim.upbitLimiter.hit(route.group, key, now);
      const limit = this.sim.upbitLimiter.limitOf(route.group);
      const remaining = verdict.kind === 'ok' ? verdict.remaining : 0;
      headers['Remaining-Req'] = `group=${route.group}; min=${Math.max(0, limit * 60 - verdict.used)}; sec=${remaining}`;
      if (verdict.kind === 'limited') return textResponse(429, 'Too many API requests.', headers);
      if (verdict.kind === 'banned')
        return textResponse(418, `Your IP or access key is blocked for ${verdict.retryAfterSeconds} seconds.`, headers);
      return rawJson(200, route.handle({ params, query: req.query, account, now }), headers);
    } catch (error) {
      if (error instanceof UpbitError) return error.response(headers);
      this.sim.log(
        `exchange-sim upbit ${req.method} ${req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return rawJson(500, { error: { name: 'server_error', message: 'internal error' } }, headers);
    }
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
          ...(params.isDetails === 'true' ? { market_warning: 'NONE', market_event: { warning: false, caution: {} } } : {}),
        })),
    });
    this.route('GET', '/v1/ticker', {
      private: false,
      group: 'ticker',
      handle: ({ params, now }) => this.markets(params).map((m) => this.ticker(m, now)),
    });
    this.route('GET', '/v1/ticker/all', {
      private: false,
      group: 'ticker',
      handle: ({ params, now }) => {
        const quotes = typeof params.quote_currencies === 'string' ? params.quote_currencies.split(',') : ['KRW'];
        return sim.catalog
          .list('upbit')
          .filter((m) => quotes.includes(m.quote))
          .map((m) => this.ticker(m, now));
      },
    });
    this.route('GET', '/v1/orderbook', { private: false, group: 'orderbook', handle: ({ params, now }) => this.orderbooks(params, now) });
    this.route('GET', '/v1/orderbook/instruments', {
      private: false,
      group: 'orderbook',
      handle: ({ params }) =>
        this.markets(params).map((m) => ({
          market: m.id,
          quote_currency: m.quote,
          tick_size: upbitKrwTick(sim.engine.price(m)).toFixed(),
          supported_levels: [0],
        })),
    });
    this.route('GET', '/v1/candles/minutes', {
      private: false,
      group: 'candles',
      handle: ({ params, now }) => this.candles(params, Number(params.unit) * MINUTE, now),
    });
    this.route('GET', '/v1/candles/days', {
      private: false,
      group: 'candles',
      handle: ({ params, now }) => this.candles(params, DAY, now),
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

  private markets(params: UpbitParams): Market[] {
    const list = typeof params.markets === 'string' ? params.markets.split(',').filter((s) => s.length > 0) : [];
    if (list.length === 0) throw new UpbitError(400, 'validation_error', 'markets is required');
    const markets = list.map((id) => this.sim.catalog.get('upbit', id.trim())).filter((m): m is Market => m !== undefined);
    if (markets.length === 0) throw new UpbitError(404, '404', 'Code not found');
    return markets;
  }

  private ticker(m: Market, now: number): Record<string, unknown> {
    const last = this.sim.engine.price(m);
    const stats = this.sim.engine.history(m).stats24h(now, last);
    const change = last.minus(stats.open);
    const kstText = kst(now);
    const utc = new Date(now).toISOString();
    return {
      market: m.id,
      trade_date: utc.slice(0, 10).replace(/-/g, ''),
      trade_time: utc.slice(11, 19).replace(/:/g, ''),
      trade_date_kst: kstText.slice(0, 10).replace(/-/g, ''),
      trade_time_kst: kstText.slice(11, 19).replace(/:/g, ''),
      trade_timestamp: now,
      opening_price: num(stats.open),
      high_price: num(stats.high),
      low_price: num(stats.low),
      trade_price: num(last),
      prev_closing_price: num(stats.open),
      change: change.isZero() ? 'EVEN' : change.isPositive() ? 'RISE' : 'FALL',
      change_price: num(change.abs()),
      change_rate: num(change.abs().div(stats.open).toDecimalPlaces(10)),
      signed_change_price: num(change),
      signed_change_rate: num(change.div(stats.open).toDecimalPlaces(10)),
      trade_volume: num(new Dec(0)),
      acc_trade_price: num(stats.quoteVolume),
      acc_trade_price_24h: num(stats.quoteVolume),
      acc_trade_volume: num(stats.volume),
      acc_trade_volume_24h: num(stats.volume),
      highest_52_week_price: num(stats.high),
      highest_52_week_date: utc.slice(0, 10),
      lowest_52_week_price: num(stats.low),
      lowest_52_week_date: utc.slice(0, 10),
      timestamp: now,
    };
  }

  private orderbooks(params: UpbitParams, now: number): unknown {
    const count = Math.max(1, Math.min(Number(params.count ?? 15) || 15, 30));
    return this.markets(params).map((m) => {
      const book = this.sim.engine.book(m);
      const units = [];
      for (let i = 0; i < Math.min(count, Math.max(book.asks.length, book.bids.length)); i++) {
        const ask = book.asks[i];
        const bid = book.bids[i];
        units.push({
          ask_price: num(ask?.price ?? new Dec(0)),
          bid_price: num(bid?.price ?? new Dec(0)),
          ask_size: num(ask?.qty ?? new Dec(0)),
          bid_size: num(bid?.qty ?? new Dec(0)),
        });
      }
      const total = (levels: typeof book.asks): Dec => levels.reduce((sum, l) => sum.plus(l.qty), new Dec(0));
      return {
        market: m.id,
        timestamp: now,
        total_ask_size: num(total(book.asks)),
        total_bid_size: num(total(book.bids)),
        orderbook_units: units,
        level: 0,
      };
    });
  }

  private candles(params: UpbitParams, periodMs: number, now: number): unknown {
    if (![MINUTE, 3 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 240 * MINUTE, DAY].includes(periodMs)) {
      throw validation('unit does not have a valid value');
    }
    const market = upbitMarket(this.sim, typeof params.market === 'string' ? params.market : undefined);
    const count = Math.max(1, Math.min(Number(params.count ?? 1) || 1, 200));
    const to = typeof params.to === 'string' && !Number.isNaN(Date.parse(params.to)) ? Date.parse(params.to) : now;
    const candles = this.sim.engine.history(market).aggregate(periodMs, count, to, this.sim.engine.price(market));
    return candles.reverse().map((c) => ({
      market: market.id,
      candle_date_time_utc: utcNoZone(c.start),
      candle_date_time_kst: kst(c.start).slice(0, 19),
      opening_price: num(c.open),
      high_price: num(c.high),
      low_price: num(c.low),
      trade_price: num(c.close),
      timestamp: Math.min(now, c.start + periodMs - 1),
      candle_acc_trade_price: num(c.quoteVolume),
      candle_acc_trade_volume: num(c.volume),
      ...(periodMs < DAY ? { unit: periodMs / MINUTE } : { prev_closing_price: num(c.open), change_price: num(c.close.minus(c.open)) }),
    }));
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
    const time = (v: unknown): number | undefined => {
      if (v === undefined || v === null || v === '') return undefined;
      const n = /^\d+$/.test(String(v)) ? Number(v) : Date.parse(String(v));
      if (Number.isNaN(n)) throw validation('start_time/end_time does not have a valid value');
      return n;
    };
    const end = time(params.end_time) ?? now;
    const start = time(params.start_time) ?? end - 7 * DAY;
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
