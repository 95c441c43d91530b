import { getDataSourceToken } from '@nestjs/typeorm';
import { SEEDED_SIM_ACCOUNTS } from '@tradedesk/exchange-sim-client';
import { PositionBook } from '@tradedesk/orders';
import { dec, type Decimal } from '@tradedesk/shared';
import { TEST_DRIVERS } from '@tradedesk/testing';
import type { DataSource } from 'typeorm';
import DecimalModule, { type Decimal as DecimalClass } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/**
 * Property test of issue 11's rules against the emulator: random sequences of coins held before
 * tradedesk, market buys, manual market sells (sometimes larger than the position), adoptions and
 * stop-loss exits (`all`, `N%`, a fixed amount, `balance`) fired by moving the price, on a Binance
 * and an Upbit market at once. Each run is a fresh emulator and a fresh app (about a second to
 * boot), so no position, balance or cached figure carries over from another run.
 *
 * Checked against a model written here from the fills `GET /api/trades` reports and the amounts
 * adopted (average cost as docs/trading-semantics.md states it; PositionBook is not used):
 *  (a) no exit sells more than the position holds when it fires (`balance` excepted), and what a
 *      lone exit sells is what its amount means; every sell's `untracked` is the model's;
 *  (b) realized and unrealized PnL of `GET /api/positions` equal the model's, to one unit of the
 *      quote currency's last printed digit (KRW 1, USDT 0.00000001), quantity exactly;
 *  (c) the coins at the emulator (and as `GET /api/accounts/:id/balances` reports them) equal what
 *      was held before + bought (less a fee charged in the coin) − sold.
 *  (d) the `positions` table as it was kept fill by fill equals a replay, through the same
 *      PositionBook, of every fill in the `trades` table and every adoption in `position_events`,
 *      in the order they were recorded, to the last stored digit; and each sell's stored
 *      `untracked` is the replay's (issue 14: the incremental figures are the recomputation's).
 * Besides, softly (a breach fails the test but the runs go on checking the above): every exit ends
 * DONE, or CANCELLED "position closed" — never FAILED for want of a position — and a lone exit (or
 * an `all` among several) sells all that its amount means.
 *
 * POSITION_PROPERTY_SEED / POSITION_PROPERTY_RUNS replay or widen the search; POSITION_PROPERTY_LOG=1
 * prints each run's log (a failing run's log is in its message).
 */

// decimal.js ships CommonJS typings for an ESM build (as libs/shared notes); the model's own clone,
// with more digits than the app keeps so that only the app's rounding can differ.
const DecimalJs: typeof DecimalClass =
  (DecimalModule as unknown as { default?: typeof DecimalClass }).default ?? (DecimalModule as unknown as typeof DecimalClass);
const Dec = DecimalJs.clone({ precision: 80, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -80, toExpPos: 80 });
type Dec = DecimalClass;
const d = (value: DecimalClass.Value): Dec => new Dec(value);
const ZERO = d(0);
const byText = (a: string, b: string): number => a.localeCompare(b);

const SEED = Number(process.env.POSITION_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.POSITION_PROPERTY_RUNS ?? 10);

type Exchange = 'binance' | 'upbit';

/** The emulator's markets used here (apps/exchange-sim core/markets.ts): steps, minimum order value, a start price. */
interface MarketSpec {
  symbol: string;
  base: string;
  quote: 'USDT' | 'KRW';
  amountStep: string;
  minNotional: string;
  startPrice: string;
  /** Binance's fixed tick; Upbit KRW markets use the price table (krwTick). */
  tick?: string;
}
const MARKETS: Record<Exchange, MarketSpec[]> = {
  binance: [
    { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: '0.00001', minNotional: '5', startPrice: '50000', tick: '0.01' },
    { symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', amountStep: '0.0001', minNotional: '5', startPrice: '3000', tick: '0.01' },
    { symbol: 'XRP/USDT', base: 'XRP', quote: 'USDT', amountStep: '0.1', minNotional: '5', startPrice: '0.6', tick: '0.0001' },
  ],
  upbit: [
    { symbol: 'BTC/KRW', base: 'BTC', quote: 'KRW', amountStep: '0.00000001', minNotional: '5000', startPrice: '70000000' },
    { symbol: 'ETH/KRW', base: 'ETH', quote: 'KRW', amountStep: '0.00000001', minNotional: '5000', startPrice: '4200000' },
    { symbol: 'XRP/KRW', base: 'XRP', quote: 'KRW', amountStep: '0.00000001', minNotional: '5000', startPrice: '840' },
  ],
};
/** Quote balances deep enough for every buy a run makes. */
const QUOTE_BALANCE = { USDT: '10000000', KRW: '100000000000' };
/** Places of money in a quote currency as tradedesk prints it (KRW none, USDT 8). */
const QUOTE_DECIMALS = { USDT: 8, KRW: 0 };

/** Upbit's KRW price unit at a price (exchange-apis.md). */
function krwTick(price: Dec): Dec {
  const table: Array<[string, string]> = [
    ['1000000', '1000'],
    ['500000', '500'],
    ['100000', '100'],
    ['50000', '50'],
    ['10000', '10'],
    ['5000', '5'],
    ['100', '1'],
    ['10', '0.1'],
    ['1', '0.01'],
    ['0.1', '0.001'],
  ];
  for (const [floor, step] of table) if (price.gte(floor)) return d(step);
  return d('0.0001');
}
const tickAt = (m: MarketSpec, price: Dec): Dec => (m.tick ? d(m.tick) : krwTick(price));
const snapDown = (m: MarketSpec, price: Dec): Dec => {
  const tick = tickAt(m, price);
  return price.div(tick).floor().times(tick);
};
const floorStep = (m: MarketSpec, amount: Dec): Dec => amount.div(m.amountStep).floor().times(m.amountStep);

// ---------------------------------------------------------------------------------- the model

interface Fill {
  side: 'buy' | 'sell';
  price: Dec;
  amount: Dec;
  fee: Dec;
  feeCurrency: string | null;
}

/**
 * Average cost over the position's own fills and adoptions (docs/trading-semantics.md): a buy adds
 * q·p (+ a fee in the quote) to the cost; a fee in the coin reduces the quantity received; a sell
 * realizes on the part the position holds at the average entry, its fee shared out like the
 * amount; what a sell takes beyond the position is untracked and never PnL.
 */
class AverageCostModel {
  qty = ZERO;
  cost = ZERO;
  realized = ZERO;

  constructor(
    private readonly base: string,
    private readonly quote: string,
  ) {}

  avg(): Dec | undefined {
    return this.qty.isZero() ? undefined : this.cost.div(this.qty);
  }

  adopt(amount: Dec, averageEntry: Dec): void {
    this.qty = this.qty.plus(amount);
    this.cost = this.cost.plus(amount.times(averageEntry));
  }

  /** Applies a fill; answers the untracked part of a sell. */
  apply(f: Fill): Dec {
    const baseFee = f.feeCurrency === this.base ? f.fee : ZERO;
    const quoteFee = f.feeCurrency === this.quote || f.feeCurrency === null ? f.fee : ZERO;
    if (f.side === 'buy') {
      this.cost = this.cost.plus(f.amount.times(f.price)).plus(quoteFee);
      this.qty = this.qty.plus(f.amount).minus(baseFee);
      return ZERO;
    }
    const sold = f.amount.plus(baseFee);
    const matched = Dec.min(sold, this.qty);
    if (matched.isZero()) return sold;
    const share = matched.div(sold);
    const avg = this.avg()!;
    this.realized = this.realized.plus(matched.times(f.price.minus(avg))).minus(quoteFee.plus(baseFee.times(f.price)).times(share));
    this.qty = this.qty.minus(matched);
    this.cost = this.qty.isZero() ? ZERO : this.cost.minus(matched.times(avg));
    return sold.minus(matched);
  }

  unrealized(last: Dec): Dec {
    const avg = this.avg();
    return avg ? this.qty.times(last.minus(avg)) : ZERO;
  }
}

// ---------------------------------------------------------------------------------- the sequences

type ExitAmount = { kind: 'all' } | { kind: 'balance' } | { kind: 'percent'; percent: number } | { kind: 'fixed'; share: number };
interface ExitSpec {
  amount: ExitAmount;
  /** Trigger below the price, in tenths of a percent. */
  offset: number;
}
type Step =
  | { kind: 'buy'; venue: Exchange; move: number; size: number; byCost: boolean }
  | { kind: 'sell'; venue: Exchange; move: number; share: number; of: 'position' | 'wallet' }
  | { kind: 'adopt'; venue: Exchange; share: number; entryMove: number; entryDecimals: number }
  | { kind: 'exits'; venue: Exchange; move: number; exits: ExitSpec[]; sellBetween: number | null; drop: number };
interface Run {
  market: Record<Exchange, number>;
  /** Coins held before tradedesk, in minimum order values (0: none). */
  held: Record<Exchange, number>;
  steps: Step[];
}

const venue = fc.constantFrom<Exchange>('binance', 'upbit');
/** Price of the step: the market's start price moved by −15 … +15 %. */
const move = fc.integer({ min: -15, max: 15 });
const exitAmount: fc.Arbitrary<ExitAmount> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.constant({ kind: 'balance' as const }),
  fc.integer({ min: 1, max: 100 }).map((percent) => ({ kind: 'percent' as const, percent })),
  fc.integer({ min: 10, max: 100 }).map((share) => ({ kind: 'fixed' as const, share })),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('buy' as const),
      venue,
      move,
      size: fc.integer({ min: 3, max: 400 }),
      byCost: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      venue,
      move,
      share: fc.integer({ min: 10, max: 100 }),
      of: fc.constantFrom<'position' | 'wallet'>('position', 'wallet'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adopt' as const),
      venue,
      share: fc.integer({ min: 10, max: 100 }),
      entryMove: fc.integer({ min: -30, max: 30 }),
      entryDecimals: fc.integer({ min: 0, max: 8 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('exits' as const),
      venue,
      move,
      // `balance` is armed alone: with other exits in the same tick, which sell its excess is
      // untracked would depend on the order the exchange filled them.
      exits: fc
        .array(fc.record({ amount: exitAmount, offset: fc.integer({ min: 5, max: 40 }) }), { minLength: 1, maxLength: 3 })
        .map((list) => {
          const balance = list.find((e) => e.amount.kind === 'balance');
          return balance ? [balance] : list;
        }),
      sellBetween: fc.option(fc.integer({ min: 10, max: 90 }), { nil: null }),
      drop: fc.integer({ min: 1, max: 30 }),
    }),
  },
);
const run: fc.Arbitrary<Run> = fc.record({
  market: fc.record({ binance: fc.integer({ min: 0, max: 2 }), upbit: fc.integer({ min: 0, max: 2 }) }),
  held: fc.record({
    binance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
    upbit: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
  }),
  steps: fc.array(step, { minLength: 5, maxLength: 12 }),
});

// ---------------------------------------------------------------------------------- the API

interface TradeBody {
  orderId: string;
  tradeId: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  fee: string | null;
  feeCurrency: string | null;
  untracked: string;
  timestamp: string;
}
interface RecordedFill extends Fill {
  untracked: Dec;
  timestamp: string;
}
interface ConditionBody {
  id: string;
  status: string;
  amount: string;
  orderIds: string[];
  failureReason: string | null;
}
interface PositionBody {
  symbol: string;
  quantity: string;
  averageEntry: string | null;
  realizedPnl: string;
  unrealizedPnl: string | null;
  lastPrice: string | null;
}

const FINAL = ['DONE', 'CANCELLED', 'FAILED', 'EXPIRED', 'MISSED'];

interface Venue {
  exchange: Exchange;
  market: MarketSpec;
  accountId: string;
  apiKey: string;
  model: AverageCostModel;
  /** The coins at the emulator as the model has them: held before + bought (net of a fee in the coin) − sold. */
  coins: Dec;
  price: Dec;
}

async function poll<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One run's world: a fresh emulator and app, the two venues, and the line-by-line log printed on failure. */
class World {
  readonly log: string[] = [];
  readonly venues: Record<Exchange, Venue>;

  constructor(
    readonly s: TradingStack,
    r: Run,
  ) {
    const make = (exchange: Exchange, accountId: string): Venue => {
      const market = MARKETS[exchange][r.market[exchange]];
      return {
        exchange,
        market,
        accountId,
        apiKey: SEEDED_SIM_ACCOUNTS.find((a) => a.exchange === exchange)!.apiKey,
        model: new AverageCostModel(market.base, market.quote),
        coins: floorStep(market, d(market.minNotional).times(r.held[exchange]).div(market.startPrice)),
        price: d(market.startPrice),
      };
    };
    this.venues = { binance: make('binance', s.binanceAccountId), upbit: make('upbit', s.upbitAccountId) };
  }

  note(v: Venue, line: string): void {
    this.log.push(`${v.exchange} ${v.market.symbol} @${v.price.toFixed()}: ${line}`);
  }

  async setup(): Promise<void> {
    for (const v of Object.values(this.venues)) {
      const account = SEEDED_SIM_ACCOUNTS.find((a) => a.exchange === v.exchange)!;
      const balances: Record<string, string> = { BTC: '0', ETH: '0', XRP: '0', [v.market.quote]: QUOTE_BALANCE[v.market.quote] };
      balances[v.market.base] = v.coins.toFixed();
      await this.s.control('POST', '/accounts', { ...account, balances });
      await this.s.setPrice(v.exchange, v.market.symbol, v.price.toFixed());
      this.note(v, `held before tradedesk: ${v.coins.toFixed()} ${v.market.base}`);
    }
  }

  async setPrice(v: Venue, price: Dec): Promise<void> {
    v.price = price;
    await this.s.setPrice(v.exchange, v.market.symbol, price.toFixed());
  }

  /**
   * Until tradedesk reads the price set last: arming checks a stop against the current price
   * through a ticker cached ~1 s, as a user arms against the price they see.
   */
  async priceSeen(v: Venue): Promise<void> {
    await poll(
      `${v.market.symbol} ticker`,
      async () => {
        const body = (await this.s.api().get('/api/tickers').query({ accountId: v.accountId, symbols: v.market.symbol }).expect(200))
          .body as { tickers: Array<{ last: string } | undefined> };
        return body.tickers[0]?.last ?? null;
      },
      (last) => last !== null && d(last).eq(v.price),
      5_000,
    );
  }

  /** The price of a step: the market's start price moved by `percent`, on the price grid. */
  stepPrice(v: Venue, percent: number): Dec {
    return snapDown(v.market, d(v.market.startPrice).times(1 + percent / 100));
  }

  /** An order's fills as tradedesk recorded them, oldest first. */
  async fillsOf(orderId: string): Promise<RecordedFill[]> {
    const body = (await this.s.api().get('/api/trades').query({ orderId, limit: 500 }).expect(200)).body as { items: TradeBody[] };
    return body.items
      .map((t) => ({
        side: t.side,
        price: d(t.price),
        amount: d(t.amount),
        fee: d(t.fee ?? 0),
        feeCurrency: t.feeCurrency,
        untracked: d(t.untracked),
        timestamp: t.timestamp,
      }))
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  /** Applies an order's fills to the model and checks each sell's `untracked` against it. */
  async record(v: Venue, orderId: string, what: string): Promise<RecordedFill[]> {
    const fills = await this.fillsOf(orderId);
    for (const f of fills) {
      const untracked = v.model.apply(f);
      v.coins = f.side === 'buy' ? v.coins.plus(f.amount).minus(f.feeCurrency === v.market.base ? f.fee : 0) : v.coins.minus(f.amount);
      this.note(v, `${what} ${f.side} ${f.amount.toFixed()} at ${f.price.toFixed()} fee ${f.fee.toFixed()} ${f.feeCurrency ?? ''}`);
      if (f.side === 'sell')
        expect(f.untracked.toFixed(), `untracked of the ${what} sell of ${f.amount.toFixed()} (order ${orderId})`).toBe(
          untracked.toFixed(),
        );
    }
    return fills;
  }

  async orderFilled(orderId: string): Promise<void> {
    await poll(
      `order ${orderId}`,
      async () => ((await this.s.api().get(`/api/orders/${orderId}`).expect(200)).body as { status: string }).status,
      (status) => status === 'FILLED',
    );
  }

  async marketSell(v: Venue, amount: Dec, what: string): Promise<void> {
    const placed = await this.s
      .api()
      .post('/api/orders')
      .send({ accountId: v.accountId, symbol: v.market.symbol, side: 'sell', type: 'market', amount: amount.toFixed() });
    expect(placed.status, `${what} of ${amount.toFixed()}: ${JSON.stringify(placed.body)}`).toBe(201);
    await this.orderFilled(placed.body.id);
    await this.record(v, placed.body.id, what);
  }

  /** A sell worth at least twice the minimum order value at this price (below that the exchange refuses it, not tradedesk). */
  sellable(v: Venue, amount: Dec, price = v.price): boolean {
    return amount.gt(0) && amount.times(price).gte(d(v.market.minNotional).times(2));
  }

  // ------------------------------------------------------------------------------ steps

  async buy(v: Venue, st: Extract<Step, { kind: 'buy' }>): Promise<void> {
    await this.setPrice(v, this.stepPrice(v, st.move));
    const notional = d(v.market.minNotional).times(st.size);
    // Upbit takes market buys by cost only; Binance both ways.
    const byCost = v.exchange === 'upbit' || st.byCost;
    const order = byCost ? { cost: notional.toFixed() } : { amount: floorStep(v.market, notional.div(v.price)).toFixed() };
    const id = await this.s.buyAtMarket({ accountId: v.accountId, symbol: v.market.symbol, ...order });
    await this.record(v, id, 'market buy');
  }

  async sell(v: Venue, st: Extract<Step, { kind: 'sell' }>): Promise<void> {
    await this.setPrice(v, this.stepPrice(v, st.move));
    const amount = floorStep(v.market, (st.of === 'position' ? v.model.qty : v.coins).times(st.share).div(100));
    if (!this.sellable(v, amount)) return this.note(v, `manual sell of ${st.share}% of the ${st.of} skipped: too small`);
    await this.marketSell(v, amount, `manual (${st.share}% of the ${st.of})`);
  }

  async adopt(v: Venue, st: Extract<Step, { kind: 'adopt' }>): Promise<void> {
    const outside = v.coins.minus(v.model.qty);
    const amount = floorStep(v.market, outside.times(st.share).div(100));
    if (!amount.gt(0)) return this.note(v, 'adopt skipped: no coins outside the position');
    const averageEntry = v.price
      .times(100 + st.entryMove)
      .div(100)
      .toDecimalPlaces(st.entryDecimals, Dec.ROUND_DOWN);
    if (!averageEntry.gt(0)) return this.note(v, 'adopt skipped: entry rounds to 0');
    const res = await this.s
      .api()
      .post('/api/positions/adopt')
      .send({ accountId: v.accountId, symbol: v.market.symbol, amount: amount.toFixed(), averageEntry: averageEntry.toFixed() });
    expect(res.status, `adopt ${amount.toFixed()} at ${averageEntry.toFixed()}: ${JSON.stringify(res.body)}`).toBe(201);
    v.model.adopt(amount, averageEntry);
    this.note(v, `adopted ${amount.toFixed()} at ${averageEntry.toFixed()}`);
    expect((res.body as PositionBody).quantity, 'quantity after the adoption').toBe(v.model.qty.toFixed());
  }

  async exits(v: Venue, st: Extract<Step, { kind: 'exits' }>): Promise<void> {
    await this.setPrice(v, this.stepPrice(v, st.move));
    // Without a position (or coins, for `balance`) arming must refuse the first exit, whatever its
    // amount; otherwise the exits that have something to sell are armed.
    const nothing = (e: ExitSpec) => (e.amount.kind === 'balance' ? v.coins.isZero() : v.model.qty.isZero());
    const specs = nothing(st.exits[0]) ? [st.exits[0]] : st.exits.filter((e) => !nothing(e));
    if (specs.length === 0) return this.note(v, 'exits skipped: nothing to sell');
    const triggers = specs.map((e) => snapDown(v.market, v.price.times(1 - e.offset / 1000)));
    const firePrice = snapDown(v.market, Dec.min(...triggers).times(1 - st.drop / 1000));
    let between = st.sellBetween === null ? ZERO : floorStep(v.market, v.model.qty.times(st.sellBetween).div(100));
    if (!this.sellable(v, between)) between = ZERO;
    const qtyAtFire = v.model.qty.minus(between);
    // Fixed amounts and percentages that would be below the exchange's minimum order become `all`:
    // what is refused there is the exchange's rule, not the one tested here.
    const amounts = specs.map((e): string => {
      if (e.amount.kind === 'all' || e.amount.kind === 'balance') return e.amount.kind;
      if (e.amount.kind === 'percent') {
        const share = floorStep(v.market, qtyAtFire.times(e.amount.percent).div(100));
        return nothing(e) || this.sellable(v, share, firePrice) ? `${e.amount.percent}%` : 'all';
      }
      if (nothing(e)) return floorStep(v.market, d(v.market.minNotional).times(3).div(v.price)).toFixed();
      const fixed = floorStep(v.market, v.model.qty.times(e.amount.share).div(100));
      return this.sellable(v, fixed, firePrice) ? fixed.toFixed() : 'all';
    });
    if (amounts[0] === 'balance' && v.coins.gt(0) && !this.sellable(v, floorStep(v.market, v.coins), firePrice))
      return this.note(v, 'stop balance skipped: the coins are worth less than an order');
    await this.priceSeen(v);
    const armed: Array<{ id: string; amount: string; trigger: Dec }> = [];
    for (const [i, amount] of amounts.entries()) {
      const res = await this.s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: v.accountId, symbol: v.market.symbol, triggerPrice: triggers[i].toFixed(), amount });
      const refused = nothing(specs[i]);
      if (refused) {
        // Arming refuses an exit with no position to sell (or, for `balance`, no coins), naming the field.
        expect(res.status, `stop ${amount} with nothing to sell: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.message).toMatch(/^amount: /);
        this.note(v, `stop ${amount} refused at arming: ${res.body.code}`);
        continue;
      }
      expect(res.status, `arming stop ${amount} at ${triggers[i].toFixed()}: ${JSON.stringify(res.body)}`).toBe(201);
      armed.push({ id: res.body.id, amount, trigger: triggers[i] });
      this.note(v, `armed stop ${amount} at ${triggers[i].toFixed()}`);
    }
    if (armed.length === 0) return;
    if (between.gt(0)) await this.marketSell(v, between, 'manual sell while exits are armed');

    const before = { qty: v.model.qty, coins: v.coins };
    await this.setPrice(v, firePrice);
    const ended = await Promise.all(
      armed.map(async (a) => ({
        ...a,
        body: await poll(
          `stop ${a.amount} ${a.id}`,
          async () => (await this.s.api().get(`/api/conditions/${a.id}`).expect(200)).body as ConditionBody,
          (c) => FINAL.includes(c.status),
        ),
      })),
    );
    // Every order the exits placed, filled; their fills applied in the order the exchange made them.
    const sells: Array<{ exit: (typeof ended)[number]; fill: RecordedFill }> = [];
    for (const e of ended) {
      this.note(v, `stop ${e.amount} ended ${e.body.status}${e.body.failureReason ? ` (${e.body.failureReason})` : ''}`);
      // The rule of issue 11 for exits: they shrink, or end CANCELLED "position closed"; never FAILED for
      // want of a position. Soft: a breach fails the test, and the runs still go on checking (a)–(c).
      expect
        .soft(['DONE', 'CANCELLED'], `stop ${e.amount} ended ${e.body.status} ${e.body.failureReason ?? ''}\n  ${this.log.join('\n  ')}`)
        .toContain(e.body.status);
      if (e.body.status === 'CANCELLED') {
        expect.soft(e.body.failureReason ?? '', `stop ${e.amount} cancelled`).toMatch(/^position closed/);
        expect(e.body.orderIds).toEqual([]);
      }
      for (const orderId of e.body.orderIds) {
        await this.orderFilled(orderId);
        for (const fill of await this.fillsOf(orderId)) sells.push({ exit: e, fill });
      }
    }
    sells.sort((a, b) => a.fill.timestamp.localeCompare(b.fill.timestamp));
    for (const { exit, fill } of sells) {
      // (a) The position as the model has it just before this fill bounds what a position exit may sell.
      if (exit.amount !== 'balance')
        expect(
          fill.amount.lte(v.model.qty),
          `(a) stop ${exit.amount} sold ${fill.amount.toFixed()} while the position held ${v.model.qty.toFixed()}`,
        ).toBe(true);
      const untracked = v.model.apply(fill);
      v.coins = v.coins.minus(fill.amount);
      this.note(v, `stop ${exit.amount} sell ${fill.amount.toFixed()} at ${fill.price.toFixed()} fee ${fill.fee.toFixed()}`);
      expect(fill.untracked.toFixed(), `untracked of stop ${exit.amount}'s sell of ${fill.amount.toFixed()}`).toBe(untracked.toFixed());
    }
    const soldBy = (e: (typeof ended)[number]) => sells.filter((s) => s.exit === e).reduce((sum, s) => sum.plus(s.fill.amount), ZERO);
    if (ended.length === 1) {
      // (a) A lone exit sells what its amount means, capped to what the position holds when it fires.
      const [e] = ended as [(typeof ended)[number]];
      const cap = (wanted: Dec) => floorStep(v.market, Dec.min(wanted, before.qty, before.coins));
      const expected =
        e.amount === 'balance'
          ? floorStep(v.market, before.coins)
          : e.amount === 'all'
            ? cap(before.qty)
            : e.amount.endsWith('%')
              ? cap(before.qty.times(e.amount.slice(0, -1)).div(100))
              : cap(d(e.amount));
      const worth = expected.times(firePrice);
      const minimum = d(v.market.minNotional);
      // Between half and twice the minimum order value the exchange's valuation decides: not checked.
      if (worth.gte(minimum.times(2)) || worth.lt(minimum.div(2))) {
        const sellable = worth.gte(minimum);
        const sold = soldBy(e);
        const what = `stop ${e.amount} (position ${before.qty.toFixed()}, coins ${before.coins.toFixed()}, ${expected.toFixed()} to sell)`;
        expect(sold.lte(expected), `(a) ${what} sold ${sold.toFixed()}`).toBe(true);
        expect.soft(sold.toFixed(), `${what}: sold\n  ${this.log.join('\n  ')}`).toBe(sellable ? expected.toFixed() : '0');
        expect.soft(e.body.status, `${what}: status\n  ${this.log.join('\n  ')}`).toBe(sellable ? 'DONE' : 'CANCELLED');
      }
    } else {
      const total = ended.reduce((sum, e) => sum.plus(soldBy(e)), ZERO);
      expect(total.lte(before.qty), `(a) exits fired together sold ${total.toFixed()} of a ${before.qty.toFixed()} position`).toBe(true);
      // With an `all` among them nothing sellable is left of the position.
      if (ended.some((e) => e.amount === 'all'))
        expect
          .soft(
            floorStep(v.market, v.model.qty).times(firePrice).lt(v.market.minNotional),
            `an all among the exits left ${v.model.qty.toFixed()} of the position\n  ${this.log.join('\n  ')}`,
          )
          .toBe(true);
    }
  }

  // ------------------------------------------------------------------------------ invariants

  /** (c) The coins at the emulator, now (its own accounts API: no cache in between). */
  async checkCoinsAtEmulator(v: Venue, when: string): Promise<void> {
    const { accounts } = await this.s.control<{
      accounts: Array<{ apiKey: string; balances: Record<string, { free: string; locked: string }> }>;
    }>('GET', `/accounts?exchange=${v.exchange}`);
    const held = accounts.find((a) => a.apiKey === v.apiKey)?.balances[v.market.base];
    const total = held ? d(held.free).plus(held.locked) : ZERO;
    expect(total.toFixed(), `(c) ${v.market.base} at the ${v.exchange} emulator ${when}`).toBe(v.coins.toFixed());
  }

  /** (c) The same through tradedesk (its balance cache lives 2 s: polled). */
  async checkCoinsThroughApi(v: Venue): Promise<void> {
    const read = async () => {
      const body = (await this.s.api().get(`/api/accounts/${v.accountId}/balances`).expect(200)).body as {
        balances: Array<{ asset: string; total: string }>;
      };
      return d(body.balances.find((b) => b.asset === v.market.base)?.total ?? 0).toFixed();
    };
    const total = await poll(`${v.market.base} balance of the ${v.exchange} account`, read, (t) => t === v.coins.toFixed(), 5_000).catch(
      () => read(),
    );
    expect(total, `(c) ${v.market.base} balance through GET /api/accounts/:id/balances`).toBe(v.coins.toFixed());
  }

  /** (b) The position's figures against the model, once the positions query reads the price set last (tickers are cached ~1 s). */
  async checkPosition(v: Venue): Promise<void> {
    const read = async () => {
      const body = (await this.s.api().get('/api/positions').query({ accountId: v.accountId, symbol: v.market.symbol }).expect(200))
        .body as { positions: PositionBody[] };
      return body.positions.find((p) => p.symbol === v.market.symbol);
    };
    const flat = v.model.qty.isZero() && v.model.realized.abs().lt('1e-20');
    const position = await poll(
      `${v.market.symbol} position`,
      read,
      (p) => (p ? p.lastPrice !== null && d(p.lastPrice).eq(v.price) : flat),
      5_000,
    ).catch(() => read());
    const unit = d(10).pow(-QUOTE_DECIMALS[v.market.quote]);
    const model = { realized: v.model.realized, unrealized: v.model.unrealized(v.price) };
    const context = `${v.market.symbol}: printed ${JSON.stringify(position)}, model qty ${v.model.qty.toFixed()} avg ${v.model.avg()?.toFixed() ?? '-'} realized ${model.realized.toFixed()} unrealized ${model.unrealized.toFixed()}`;
    if (!position) {
      expect(flat, `(b) no position reported: ${context}`).toBe(true);
      return;
    }
    expect(position.lastPrice, `last price of ${context}`).not.toBeNull();
    expect(d(position.lastPrice!).eq(v.price), `last price of ${context}`).toBe(true);
    expect(position.quantity, `(b) quantity of ${context}`).toBe(v.model.qty.toFixed());
    const realized = d(position.realizedPnl);
    const unrealized = d(position.unrealizedPnl ?? 0);
    expect(realized.minus(model.realized).abs().lte(unit), `(b) realized PnL of ${context}`).toBe(true);
    expect(unrealized.minus(model.unrealized).abs().lte(unit), `(b) unrealized PnL of ${context}`).toBe(true);
    expect(realized.plus(unrealized).minus(model.realized).minus(model.unrealized).abs().lte(unit), `(b) PnL of ${context}`).toBe(true);
    const avg = v.model.avg();
    expect(position.averageEntry === null, `(b) average entry of ${context}`).toBe(avg === undefined);
    if (avg && position.averageEntry) {
      // Printed to the market's price precision plus 4 digits.
      const places = tickAt(v.market, avg).decimalPlaces() + 4;
      expect(d(position.averageEntry).minus(avg).abs().lte(d(10).pow(-places)), `(b) average entry of ${context}`).toBe(true);
    }
  }
}

/** A timestamp as the driver hands it back: a Date (PostgreSQL) or SQLite's UTC `YYYY-MM-DD HH:MM:SS.SSS`. */
function instant(value: Date | string): number {
  if (value instanceof Date) return value.getTime();
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

/** (d) The positions table against a replay of the recorded fills and adoptions (raw rows, both drivers). */
async function checkTableAgainstReplay(s: TradingStack): Promise<void> {
  const ds = s.app.app.get<DataSource>(getDataSourceToken());
  type Num = string | number;
  const positions = await ds.query<
    Array<{ accountId: string; symbol: string; quantity: Num; costBasis: Num; realizedPnl: Num; totalBought: Num; otherFees: string }>
  >('SELECT "accountId", "symbol", "quantity", "costBasis", "realizedPnl", "totalBought", "otherFees" FROM "positions"');
  const trades = await ds.query<
    Array<{
      id: string;
      accountId: string;
      symbol: string;
      side: 'buy' | 'sell';
      price: Num;
      amount: Num;
      fee: Num;
      feeCurrency: string | null;
      untracked: Num | null;
      recordedAt: Date | string;
    }>
  >('SELECT "id", "accountId", "symbol", "side", "price", "amount", "fee", "feeCurrency", "untracked", "recordedAt" FROM "trades"');
  const adoptions = await ds.query<Array<{ accountId: string; symbol: string; at: Date | string; details: string }>>(
    `SELECT "accountId", "symbol", "at", "details" FROM "position_events" WHERE "event" = 'adopted'`,
  );
  type Entry = { key: string; at: number; apply: (book: PositionBook) => void };
  const entries: Entry[] = [
    ...adoptions.map((a) => ({
      key: `${a.accountId} ${a.symbol}`,
      at: instant(a.at),
      apply: (book: PositionBook) => {
        const details = JSON.parse(a.details) as { amount: string; averageEntry: string };
        book.adopt(dec(details.amount), dec(details.averageEntry));
      },
    })),
    ...trades.map((t) => ({
      key: `${t.accountId} ${t.symbol}`,
      at: instant(t.recordedAt),
      apply: (book: PositionBook) => {
        const { untracked } = book.apply({
          side: t.side,
          price: dec(String(t.price)),
          amount: dec(String(t.amount)),
          fee: dec(String(t.fee)),
          ...(t.feeCurrency ? { feeCurrency: t.feeCurrency } : {}),
        });
        expect(untracked.toFixed(), `untracked of trade ${t.id} (${t.side} ${t.amount} ${t.symbol})`).toBe(
          dec(String(t.untracked ?? 0)).toFixed(),
        );
      },
    })),
  ].sort((a, b) => a.at - b.at);
  expect(positions.length, 'a positions row for every market with a fill or an adoption').toBeGreaterThanOrEqual(
    new Set(entries.map((e) => e.key)).size,
  );
  for (const row of positions) {
    const [base, quote] = row.symbol.split('/') as [string, string];
    const book = new PositionBook(base, quote);
    for (const e of entries) if (e.key === `${row.accountId} ${row.symbol}`) e.apply(book);
    const replayed = book.state();
    const same = (stored: Num, computed: Decimal) => dec(String(stored)).eq(computed);
    const show = `${row.symbol}: table ${JSON.stringify(row)}, replay ${JSON.stringify(replayed)}`;
    expect(same(row.quantity, replayed.quantity), `quantity, ${show}`).toBe(true);
    expect(same(row.costBasis, replayed.costBasis), `costBasis, ${show}`).toBe(true);
    expect(same(row.realizedPnl, replayed.realizedPnl), `realizedPnl, ${show}`).toBe(true);
    expect(same(row.totalBought, replayed.totalBought), `totalBought, ${show}`).toBe(true);
    const otherFees = JSON.parse(row.otherFees) as Record<string, string>;
    expect(Object.keys(otherFees).sort(byText), `otherFees, ${show}`).toEqual(Object.keys(replayed.otherFees).sort(byText));
    for (const [currency, fee] of Object.entries(replayed.otherFees))
      expect(same(otherFees[currency], fee), `otherFees ${currency}, ${show}`).toBe(true);
  }
}

describe.each(TEST_DRIVERS)('positions under random buys, sells, adoptions and exits on %s', (driver) => {
  it(`keeps exits within the position, PnL on average cost and coins conserved (${RUNS} seeded runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(run, async (r) => {
        const s = await startTradingStack(driver, { TICK_MS: '100' });
        const world = new World(s, r);
        try {
          await world.setup();
          for (const st of r.steps) {
            const v = world.venues[st.venue];
            if (st.kind === 'buy') await world.buy(v, st);
            if (st.kind === 'sell') await world.sell(v, st);
            if (st.kind === 'adopt') await world.adopt(v, st);
            if (st.kind === 'exits') await world.exits(v, st);
            await world.checkCoinsAtEmulator(v, `after ${st.kind}`);
          }
          for (const v of Object.values(world.venues)) {
            await world.checkPosition(v);
            await world.checkCoinsThroughApi(v);
          }
          await checkTableAgainstReplay(s);
          if (process.env.POSITION_PROPERTY_LOG) console.log(`run:\n  ${world.log.join('\n  ')}`);
        } catch (error) {
          if (error instanceof Error) error.message += `\n  run log:\n    ${world.log.join('\n    ')}`;
          throw error;
        } finally {
          await s.close();
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 240_000);
});
