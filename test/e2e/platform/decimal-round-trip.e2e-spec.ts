import { TEST_DRIVERS } from '@tradedesk/testing';
import DecimalModule, { type Decimal as DecimalClass } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/**
 * Issue 11, "numbers round-trip": every decimal tradedesk prints is accepted back where the same
 * quantity is an input. A session is recorded (orders incl. a partly filled limit, trades, positions
 * with adopted coins and PnL, conditions incl. a percent-trigger stop and a trailing stop whose
 * high-water mark moved, fee comparison, premium, tickers, balances, markets), then:
 *  - every decimal string of every recorded response has the input form
 *    ^-?(0|[1-9]\d{0,17})(\.\d{1,18})?$ (and no decimal travels as a JSON number);
 *  - the OpenAPI spec (/api/docs-json) is walked for the decimal outputs it declares; each of them,
 *    and each decimal the session printed, is paired below with the inputs that take the same
 *    quantity, or listed as output-only with the reason. A new decimal output with neither fails;
 *  - each printed value is sent back to each paired input: no 400 naming that field. Inputs that
 *    would place orders are tried on an empty sim account (the order rules run, the balance check
 *    refuses last, nothing reaches the exchange); the others on a probe account, on conditions that
 *    are paused or deleted afterwards.
 */

const DecimalJs: typeof DecimalClass =
  (DecimalModule as unknown as { default?: typeof DecimalClass }).default ?? (DecimalModule as unknown as typeof DecimalClass);
const d = (value: DecimalClass.Value): DecimalClass => new DecimalJs(value);

/** The form every decimal input takes (the DTOs' pattern, with a sign for the signed ones). */
const INPUT_DECIMAL = /^-?(0|[1-9]\d{0,17})(\.\d{1,18})?$/;
/** What a decimal looks like in any form (so that 1e-7, .5 or 00.1 are caught, not passed over). */
const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
/** `id`, `orderId`, `tradeId`, `exchangeOrderId`…: identifiers that happen to be digits. */
const isIdentifier = (key: string) => key === 'id' || key.endsWith('Id');

// ---------------------------------------------------------------------------------- the pair table

/** The inputs a printed decimal can be sent back to (`INPUTS` below says where and how). */
type Input =
  | 'order.price'
  | 'order.amount'
  | 'order.cost'
  | 'adopt.averageEntry'
  | 'adopt.amount'
  | 'fees.amount'
  | 'condition.triggerPrice'
  | 'condition.triggerPercent'
  | 'condition.amount'
  | 'condition.trailPercent'
  | 'condition.trailAmount'
  | 'condition.activationPrice'
  | 'condition.limitOffset'
  | 'when.price.value'
  | 'when.change.percent'
  | 'when.premium.value'
  | 'then.order.cost';

/** A price in a market's quote currency: a limit, a trigger, an entry, a watched level. */
const PRICE: Input[] = ['order.price', 'condition.triggerPrice', 'adopt.averageEntry', 'when.price.value'];
/** An amount of the base coin: what an order or an exit sells, what a fee comparison is for. */
const AMOUNT: Input[] = ['order.amount', 'condition.amount', 'fees.amount'];
/** Money in a quote currency: what a market buy spends. */
const MONEY: Input[] = ['order.cost'];

interface Printed {
  /** The operation and the JSON path it printed the value at, e.g. `GET /api/positions`, `positions[].averageEntry`. */
  op: string;
  path: string;
  value: string;
  /** The objects around the value, innermost first (for its market, asset, account). */
  around: Array<Record<string, unknown>>;
}

/**
 * Output field → the inputs that take the same quantity. Fields are named `<resource>.<path>` (see
 * `fieldOf`); a function chooses by what surrounds the value (a balance is coins or money).
 */
const PAIRS: Record<string, Input[] | ((p: Printed) => Input[])> = {
  // Orders (POST/GET/DELETE /api/orders…, POST /api/positions/close) and their timelines.
  'order.price': PRICE,
  'order.average': PRICE,
  'order.amount': AMOUNT,
  'order.filled': AMOUNT,
  'order.cost': MONEY,
  'order.filledCost': MONEY,
  'order.timeline[].details.price': PRICE,
  'order.timeline[].details.average': PRICE,
  'order.timeline[].details.amount': AMOUNT,
  'order.timeline[].details.filled': AMOUNT,
  'order.timeline[].details.cost': MONEY,
  'order.timeline[].details.filledCost': MONEY,
  // Fills.
  'trade.price': PRICE,
  'trade.amount': AMOUNT,
  'trade.untracked': AMOUNT,
  // Positions (GET /api/positions, POST /api/positions/adopt) and their timeline.
  'position.quantity': AMOUNT,
  'position.averageEntry': PRICE,
  'position.lastPrice': PRICE,
  'position.costBasis': MONEY,
  'position.marketValue': MONEY,
  'positions.totals.KRW.marketValue': MONEY,
  'positions.totals.USDT.marketValue': MONEY,
  'positions.usdtKrw': PRICE,
  'positionTimeline.details.amount': ['adopt.amount', ...AMOUNT],
  'positionTimeline.details.averageEntry': PRICE,
  'positionTimeline.details.quantity': AMOUNT,
  // Conditions and their timelines.
  'condition.triggerPrice': PRICE,
  'condition.stopLoss.triggerPrice': PRICE,
  'condition.takeProfit.triggerPrice': PRICE,
  'condition.activationPrice': ['condition.activationPrice', ...PRICE],
  'condition.highWaterMark': PRICE,
  'condition.currentTrigger': PRICE,
  'condition.trailPercent': ['condition.trailPercent'],
  'condition.trailAmount': ['condition.trailAmount'],
  'condition.amount': AMOUNT,
  'condition.execution.limitOffset': ['condition.limitOffset'],
  'condition.when.price.value': PRICE,
  'condition.when.change.percent': ['when.change.percent'],
  'condition.when.premium.value': ['when.premium.value'],
  'condition.then.order.cost': ['then.order.cost', ...MONEY],
  'condition.then.order.amount': AMOUNT,
  'condition.then.order.price': PRICE,
  'condition.timeline[].price': PRICE,
  'condition.timeline[].trigger': PRICE,
  'condition.timeline[].details.price': PRICE,
  'condition.timeline[].details.trigger.exact': PRICE,
  'condition.timeline[].details.trigger.snapped': PRICE,
  'condition.timeline[].details.trigger.triggerPercent': ['condition.triggerPercent'],
  'condition.timeline[].details.stopLoss.exact': PRICE,
  'condition.timeline[].details.stopLoss.snapped': PRICE,
  'condition.timeline[].details.stopLoss.triggerPercent': ['condition.triggerPercent'],
  'condition.timeline[].details.takeProfit.exact': PRICE,
  'condition.timeline[].details.takeProfit.snapped': PRICE,
  'condition.timeline[].details.takeProfit.triggerPercent': ['condition.triggerPercent'],
  'condition.timeline[].details.changes.triggerPrice.from': PRICE,
  'condition.timeline[].details.changes.triggerPrice.to': PRICE,
  'condition.timeline[].details.changes.triggerPrice.exact': PRICE,
  'condition.timeline[].details.changes.triggerPrice.triggerPercent': ['condition.triggerPercent'],
  'condition.timeline[].details.changes.amount.from': AMOUNT,
  'condition.timeline[].details.changes.amount.to': AMOUNT,
  'condition.timeline[].details.highWaterMark': PRICE,
  'condition.timeline[].details.amount': AMOUNT,
  // Balances: coins of a market's base, or money of its quote.
  'balance.free': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  'balance.locked': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  'balance.total': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  // Market data.
  'ticker.last': PRICE,
  'ticker.bid': PRICE,
  'ticker.ask': PRICE,
  'ticker.high': PRICE,
  'ticker.low': PRICE,
  'ticker.percentage': ['when.change.percent'],
  'market.priceStep': PRICE,
  'market.minPrice': PRICE,
  'market.maxPrice': PRICE,
  'market.amountStep': AMOUNT,
  'market.minAmount': AMOUNT,
  'market.maxAmount': ['order.amount', 'fees.amount'],
  'market.minNotional': MONEY,
  'market.maxNotional': MONEY,
  'exchange.capabilities.minOrderValue.amount': MONEY,
  // Fee comparison and premium.
  'fees.amount': AMOUNT,
  'fees.usdtKrw': PRICE,
  'feeVenue.averagePrice': PRICE,
  'feeVenue.total': MONEY,
  'feeVenue.totalKrw': MONEY,
  'feeVenue.totalUsdt': MONEY,
  'premium.upbit.price': PRICE,
  'premium.binance.price': PRICE,
  'premium.usdtKrw': PRICE,
  'premium.binancePriceKrw': PRICE,
  'premium.premiumPercent': ['when.premium.value'],
  'candle.open': PRICE,
  'candle.high': PRICE,
  'candle.low': PRICE,
  'candle.close': PRICE,
  'holding.free': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  'holding.locked': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  'holding.total': (p) => (isQuoteBalance(p) ? MONEY : AMOUNT),
  'holding.price': PRICE,
  'holding.value': MONEY,
  'portfolio.accounts[].value': MONEY,
  'portfolio.totals.KRW': MONEY,
  'portfolio.totals.USDT': MONEY,
  'portfolio.conversion.usdtKrw': PRICE,
  'pnlPosition.quantity': AMOUNT,
  'pnlPosition.lastPrice': PRICE,
  'pnl.usdtKrw': PRICE,
  // Order templates: their terms (percentages of a fill, a size), a preview's orders, an execution's fill and exits.
  'template.size.amount': AMOUNT,
  'template.size.cost': MONEY,
  'template.exits.stopLoss.triggerPercent': ['condition.triggerPercent'],
  'template.exits.takeProfit.triggerPercent': ['condition.triggerPercent'],
  'template.exits.takeProfit.ladder[].offsetPercent': ['condition.triggerPercent'],
  'template.exits.trailing.trailPercent': ['condition.trailPercent'],
  'template.exits.trailing.activationPercent': ['condition.triggerPercent'],
  'template.exits.stopLoss.execution.limitOffset': ['condition.limitOffset'],
  'template.exits.takeProfit.execution.limitOffset': ['condition.limitOffset'],
  'templatePreview.entry.amount': AMOUNT,
  'templatePreview.entry.cost': MONEY,
  'templatePreview.entry.price': PRICE,
  'templatePreview.entry.expectedPrice': PRICE,
  'templatePreview.estimate.price': PRICE,
  'templatePreview.estimate.amount': AMOUNT,
  'templatePreview.estimate.received': AMOUNT,
  'templatePreview.estimate.cost': MONEY,
  'templatePreview.estimate.paid': MONEY,
  'templatePreview.exits[].amount': AMOUNT,
  'templatePreview.exits[].triggerPrice': PRICE,
  'templatePreview.exits[].activationPrice': ['condition.activationPrice', ...PRICE],
  'templatePreview.exits[].trailPercent': ['condition.trailPercent'],
  'templatePreview.exits[].offsetPercent': ['condition.triggerPercent'],
  'templateExecution.entry.amount': AMOUNT,
  'templateExecution.entry.cost': MONEY,
  'templateExecution.entry.price': PRICE,
  'templateExecution.entry.expectedPrice': PRICE,
  'templateExecution.entry.filled': AMOUNT,
  'templateExecution.entry.average': PRICE,
  'templateExecution.entry.received': AMOUNT,
  'templateExecution.entry.paid': MONEY,
  'templateExecution.sold': AMOUNT,
  'templateExecution.exits[].amount': AMOUNT,
  'templateExecution.exits[].sold': AMOUNT,
  'templateExecution.exits[].triggerPrice': PRICE,
  'templateExecution.exits[].activationPrice': ['condition.activationPrice', ...PRICE],
  'templateExecution.exits[].trailPercent': ['condition.trailPercent'],
};

/** Decimal outputs that no input takes, and why. */
const OUTPUT_ONLY: Record<string, string> = {
  'order.fee': 'a fee is charged by the exchange; no request sets one',
  'order.timeline[].details.fee': 'a fee is charged by the exchange; no request sets one',
  'trade.fee': 'a fee is charged by the exchange; no request sets one',
  'position.otherFees.*': 'fees charged in a third currency; no request sets one',
  'position.realizedPnl': 'a result of trading (signed); no request takes a PnL',
  'position.unrealizedPnl': 'a result of trading (signed); no request takes a PnL',
  'position.returnPercent': 'a result of trading (signed); no request takes a return',
  'positions.totals.KRW.realizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positions.totals.KRW.unrealizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positions.totals.USDT.realizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positions.totals.USDT.unrealizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positionTimeline.details.realizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positionTimeline.details.realizedPnlBefore': 'the realized PnL a round trip started from (signed); no request takes a PnL',
  'positionTimeline.details.totalBoughtBefore': 'what the position had paid for before a round trip; no request takes it',
  'positionTimeline.details.roundTrip.realizedPnl': 'a result of trading (signed); no request takes a PnL',
  'positionTimeline.details.roundTrip.fees': 'fees charged by the exchange over a round trip; no request sets one',
  'positionTimeline.details.roundTrip.bought': 'what a round trip paid for its buys; no request takes it',
  'positionTimeline.details.roundTrip.returnPercent': 'a result of trading (signed); no request takes a return',
  'feeVenue.fee': 'the fee the exchange would charge; no request sets one',
  'feeVenue.feeRate': "the exchange's fee rate; no request sets one",
  'market.makerFee': "the exchange's fee rate; no request sets one",
  'market.takerFee': "the exchange's fee rate; no request sets one",
  'ticker.baseVolume': 'a market statistic; no request takes a traded volume',
  'ticker.quoteVolume': 'a market statistic; no request takes a traded volume',
  'candle.volume': 'a market statistic; no request takes a traded volume',
  'pnlPosition.unrealizedPnl': 'a result of trading (signed); no request takes a PnL',
  'pnlPosition.unrealizedAfterFees': 'a result of trading (signed); no request takes a PnL',
  'pnlPosition.exitFee': 'the fee the exchange would charge; no request sets one',
  'pnlPosition.exitFeeRate': "the exchange's fee rate; no request sets one",
  'pnl.realized.today.KRW': 'a result of trading (signed); no request takes a PnL',
  'pnl.realized.today.USDT': 'a result of trading (signed); no request takes a PnL',
  'pnl.realized.week.KRW': 'a result of trading (signed); no request takes a PnL',
  'pnl.realized.week.USDT': 'a result of trading (signed); no request takes a PnL',
  'pnl.realized.month.KRW': 'a result of trading (signed); no request takes a PnL',
  'pnl.realized.month.USDT': 'a result of trading (signed); no request takes a PnL',
  'pnl.unrealizedAfterFees.KRW': 'a result of trading (signed); no request takes a PnL',
  'pnl.unrealizedAfterFees.USDT': 'a result of trading (signed); no request takes a PnL',
  'template.exits.takeProfit.ladder[].sizePercent':
    "a ladder rung's share of the fill; taken back only by the template request itself (checked by the templates context, no DTO field)",
  'templatePreview.exits[].sizePercent':
    "a ladder rung's share of the fill; taken back only by the template request itself (checked by the templates context, no DTO field)",
  'templatePreview.estimate.fee': 'the fee the exchange would charge; no request sets one',
  'templatePreview.riskReward': 'a ratio of the planned exits; no request takes one',
};

/** Where each output lives: `<operation>` + a path prefix → a resource name (list wrappers dropped). */
const RESOURCES: Array<[RegExp, RegExp, string]> = [
  [/^(POST|GET) \/api\/orders$|^(GET|DELETE) \/api\/orders\/\{id\}$|^POST \/api\/positions\/close$/, /^(items\[\]\.)?/, 'order.'],
  [/^GET \/api\/trades$/, /^items\[\]\./, 'trade.'],
  [/^GET \/api\/positions$/, /^positions\[\]\./, 'position.'],
  [/^GET \/api\/positions$/, /^/, 'positions.'],
  [/^POST \/api\/positions\/adopt$/, /^/, 'position.'],
  [/^GET \/api\/positions\/timeline$/, /^\[\]\./, 'positionTimeline.'],
  [
    /^(POST|GET) \/api\/conditions$|^(GET|PATCH|DELETE) \/api\/conditions\/\{id\}$|^POST \/api\/conditions\/\{id\}\/(pause|resume)$/,
    /^(items\[\]\.)?/,
    'condition.',
  ],
  [/^GET \/api\/accounts\/\{id\}\/balances$/, /^balances\[\]\./, 'balance.'],
  [/^GET \/api\/tickers$/, /^tickers\[\]\./, 'ticker.'],
  [/^GET \/api\/markets\/\{exchange\}$/, /^markets\[\]\./, 'market.'],
  [/^GET \/api\/exchanges$/, /^\[\]\./, 'exchange.'],
  [/^GET \/api\/fees\/compare$/, /^venues\[\]\./, 'feeVenue.'],
  [/^GET \/api\/fees\/compare$/, /^/, 'fees.'],
  [/^GET \/api\/premium$/, /^/, 'premium.'],
  [/^GET \/api\/candles$/, /^candles\[\]\./, 'candle.'],
  [/^GET \/api\/portfolio$/, /^accounts\[\]\.assets\[\]\./, 'holding.'],
  [/^GET \/api\/portfolio$/, /^/, 'portfolio.'],
  [/^GET \/api\/pnl$/, /^positions\[\]\./, 'pnlPosition.'],
  [/^GET \/api\/pnl$/, /^/, 'pnl.'],
  [
    /^(POST|GET) \/api\/templates$|^(GET|PATCH|DELETE) \/api\/templates\/\{id\}$|^POST \/api\/templates\/(\{id\}\/duplicate|import)$|^GET \/api\/templates\/(export|\{id\}\/versions)$/,
    /^(items\[\]\.|templates\[\]\.|\[\]\.)?/,
    'template.',
  ],
  [/^POST \/api\/templates\/\{id\}\/preview$/, /^/, 'templatePreview.'],
  [/^GET \/api\/templates\/executions(\/\{id\})?$/, /^(items\[\]\.)?/, 'templateExecution.'],
];

/** The table's name of an output: `GET /api/orders` + `items[].price` → `order.price`. */
function fieldOf(op: string, path: string): string {
  for (const [ops, prefix, resource] of RESOURCES) {
    if (!ops.test(op) || !prefix.test(path)) continue;
    return (resource + path.replace(prefix, ''))
      .replace(/\.when\.((all|any)\[\]\.)+/, '.when.') // a leaf of a when tree, at any depth
      .replace(/\.otherFees\.[A-Z0-9]+$/, '.otherFees.*');
  }
  return `${op} ${path}`;
}

function isQuoteBalance(p: Printed): boolean {
  const asset = p.around[0]?.asset;
  return asset === 'USDT' || asset === 'KRW';
}

// ---------------------------------------------------------------------------------- walking

interface Recorded {
  op: string;
  body: unknown;
  /** The request's query (a timeline's market, for one): the outermost surroundings of what it printed. */
  query: Record<string, string>;
}

/** Every numeric-looking string of a response, with its path and surroundings (identifiers left out). */
function decimalsIn(op: string, body: unknown, request: Record<string, unknown> = {}): Printed[] {
  const found: Printed[] = [];
  const walk = (value: unknown, path: string, around: Array<Record<string, unknown>>, key: string) => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, `${path}[]`, around, key));
    else if (value !== null && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k, [obj, ...around], k);
    } else if (typeof value === 'string' && NUMERIC.test(value) && !isIdentifier(key)) found.push({ op, path, value, around });
  };
  walk(body, '', [request], '');
  return found;
}

/** Non-integer JSON numbers: decimals must travel as strings (api.md). */
function fractionalNumbersIn(op: string, body: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, `${path}[]`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else if (typeof value === 'number' && !Number.isInteger(value)) found.push(`${op} ${path} = ${value}`);
  };
  walk(body, '');
  return found;
}

type Schema = Record<string, unknown>;
interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: Schema[] }>>;
  components: { schemas: Record<string, Schema> };
}

function resolve(spec: OpenApi, schema: Schema | undefined): Schema | undefined {
  const ref = schema?.$ref;
  return typeof ref === 'string' ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

/** The decimal outputs a spec declares: string properties and examples of its 2xx responses that look like decimals. */
function specDecimalOutputs(spec: OpenApi): Array<{ op: string; path: string }> {
  const found: Array<{ op: string; path: string }> = [];
  const walkSchema = (op: string, raw: Schema | undefined, path: string, depth = 0) => {
    const schema = resolve(spec, raw);
    if (!schema || depth > 12) return;
    if (schema.example !== undefined) for (const p of decimalsIn(op, schema.example)) found.push({ op, path: join(path, p.path) });
    for (const [k, v] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {}))
      if (!isIdentifier(k)) walkSchema(op, v, join(path, k), depth + 1);
    if (schema.items) walkSchema(op, schema.items as Schema, `${path}[]`, depth + 1);
  };
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, operation] of Object.entries(methods)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }).responses ?? {};
      for (const [code, response] of Object.entries(responses))
        if (code.startsWith('2')) walkSchema(`${method.toUpperCase()} ${path}`, response.content?.['application/json']?.schema, '');
    }
  return found;
}

const join = (a: string, b: string) => (!a ? b : !b ? a : b.startsWith('[]') ? a + b : `${a}.${b}`);

// ---------------------------------------------------------------------------------- the session

interface Ids {
  binance: string;
  upbit: string;
}

async function recordSession(s: TradingStack): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const B = s.binanceAccountId;
  const U = s.upbitAccountId;
  const call = async (
    method: 'get' | 'post' | 'patch' | 'delete',
    template: string,
    options: { params?: Record<string, string>; query?: Record<string, string>; body?: object } = {},
  ) => {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => options.params![name]);
    const agent = s.api();
    const res = await agent[method](path)
      .query(options.query ?? {})
      .send(options.body);
    expect(res.status, `${method.toUpperCase()} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    recorded.push({ op: `${method.toUpperCase()} ${template}`, body: res.body, query: options.query ?? {} });
    return res.body;
  };
  const until = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const orderStatus = (id: string, status: string) =>
    until(
      `order ${id}`,
      async () => (await s.api().get(`/api/orders/${id}`)).body.status as string,
      (v) => v === status,
    );
  const conditionStatus = (id: string, status: string) =>
    until(
      `condition ${id}`,
      async () => (await s.api().get(`/api/conditions/${id}`)).body.status as string,
      (v) => v === status,
    );
  /** Until tradedesk's tickers (cached ~1 s) show the price set last: a stop is armed against the price the user sees. */
  const priceSeen = (accountId: string, symbol: string, price: string) =>
    until(
      `${symbol} ticker`,
      async () => (await s.api().get('/api/tickers').query({ accountId, symbols: symbol })).body.tickers[0]?.last as string | undefined,
      (v) => v !== undefined && d(v).eq(price),
    );

  await s.setPrice('binance', 'BTC/USDT', '50123.45');
  await s.setPrice('binance', 'ETH/USDT', '3012.34');
  await s.setPrice('upbit', 'BTC/KRW', '70123000');
  await s.setPrice('upbit', 'USDT/KRW', '1399');

  // Orders: a market buy (Binance charges the fee in BTC), a limit buy filled in part then cancelled,
  // an Upbit market buy by cost, a sell beyond the position (untracked), another buy.
  const first = await call('post', '/api/orders', {
    body: { accountId: B, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01234' },
  });
  const limit = await call('post', '/api/orders', {
    body: { accountId: B, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.02', price: '49876.54' },
  });
  await s.control('POST', '/fill', { exchange: 'binance', clientOrderId: limit.clientOrderId, amount: '0.00789' });
  await orderStatus(limit.id, 'PARTIALLY_FILLED');
  await call('get', '/api/orders/{id}', { params: { id: limit.id } });
  await call('delete', '/api/orders/{id}', { params: { id: limit.id } });
  const upbitBuy = await call('post', '/api/orders', {
    body: { accountId: U, symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '1234567' },
  });
  await orderStatus(upbitBuy.id, 'FILLED');
  await call('post', '/api/positions/adopt', { body: { accountId: U, symbol: 'BTC/KRW', amount: '0.05', averageEntry: '68123456.789' } });
  const beyond = await call('post', '/api/orders', {
    body: { accountId: B, symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: '0.05' },
  });
  await orderStatus(beyond.id, 'FILLED');
  const again = await call('post', '/api/orders', {
    body: { accountId: B, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.03456' },
  });
  await orderStatus(again.id, 'FILLED');

  // A stop that fires: its timeline carries the observed price and the trigger.
  await priceSeen(B, 'BTC/USDT', '50123.45');
  const fired = await call('post', '/api/conditions', {
    body: { kind: 'stop_loss', accountId: B, symbol: 'BTC/USDT', triggerPrice: '50000', amount: '0.003' },
  });
  await s.setPrice('binance', 'BTC/USDT', '49950.5');
  await conditionStatus(fired.id, 'DONE');
  await s.setPrice('binance', 'BTC/USDT', '50123.45');
  await s.setPrice('upbit', 'BTC/KRW', '71234000');
  await priceSeen(B, 'BTC/USDT', '50123.45');
  await priceSeen(U, 'BTC/KRW', '71234000');

  // Conditions: a percent-trigger stop (snapped to Upbit's grid), trailing stops (by percent; by an
  // amount with an activation price), a bracket in percent, a limit-executed stop, a conditional.
  const percentStop = await call('post', '/api/conditions', {
    body: { kind: 'stop_loss', accountId: U, symbol: 'BTC/KRW', triggerPercent: '3.33', amount: '50%' },
  });
  const trailing = await call('post', '/api/conditions', {
    body: { kind: 'trailing_stop', accountId: B, symbol: 'BTC/USDT', trailPercent: '3.7', amount: '0.01' },
  });
  // A trail of a third, with as many decimals as an input takes (18): the trigger derived from it
  // must still print as a price that is accepted back.
  const third = await call('post', '/api/conditions', {
    body: { kind: 'trailing_stop', accountId: B, symbol: 'BTC/USDT', trailPercent: '3.333333333333333333', amount: '0.001' },
  });
  const activated = await call('post', '/api/conditions', {
    body: { kind: 'trailing_stop', accountId: B, symbol: 'BTC/USDT', trailAmount: '123.45', activationPrice: '50500.5', amount: '0.002' },
  });
  await call('post', '/api/conditions', {
    body: {
      kind: 'bracket',
      accountId: B,
      symbol: 'BTC/USDT',
      amount: '0.005',
      stopLoss: { triggerPercent: '2.5' },
      takeProfit: { triggerPercent: '4.25' },
    },
  });
  const limitStop = await call('post', '/api/conditions', {
    body: {
      kind: 'stop_loss',
      accountId: B,
      symbol: 'BTC/USDT',
      triggerPrice: '45000',
      amount: '0.002',
      execution: { type: 'limit', limitOffset: '0.5' },
    },
  });
  await call('post', '/api/conditions', {
    body: {
      kind: 'conditional',
      accountId: U,
      when: {
        all: [
          { time: { at: '2099-01-01T00:00:00Z' } },
          { premium: { base: 'BTC', op: '<=', value: '-1.2345' } },
          { change: { percent: '-2.5' } },
          { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '<=', value: '49999.99' } },
        ],
      },
      then: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '10000' } },
    },
  });
  // The high-water marks move (and the second trailing stop activates).
  await s.setPrice('binance', 'BTC/USDT', '51234.56');
  for (const id of [trailing.id, third.id, activated.id])
    await until(
      `high-water mark of ${id}`,
      async () => (await s.api().get(`/api/conditions/${id}`)).body.highWaterMark as string | null,
      (v) => v === '51234.56',
    );
  await priceSeen(B, 'BTC/USDT', '51234.56');
  await call('patch', '/api/conditions/{id}', { params: { id: limitStop.id }, body: { moveTo: 'breakEven' } });
  await call('patch', '/api/conditions/{id}', { params: { id: percentStop.id }, body: { triggerPercent: '2.75', amount: '0.01' } });
  await call('post', '/api/conditions/{id}/pause', { params: { id: activated.id } });

  // Reads of everything.
  const conditions = await call('get', '/api/conditions', { query: { limit: '500' } });
  for (const c of conditions.items as Array<{ id: string }>) await call('get', '/api/conditions/{id}', { params: { id: c.id } });
  const orders = await call('get', '/api/orders', { query: { limit: '500' } });
  for (const o of orders.items as Array<{ id: string }>) await call('get', '/api/orders/{id}', { params: { id: o.id } });
  await call('get', '/api/trades', { query: { limit: '500' } });
  await call('get', '/api/positions');
  await call('get', '/api/positions/timeline', { query: { accountId: U, symbol: 'BTC/KRW' } });
  await call('get', '/api/positions/timeline', { query: { accountId: B, symbol: 'BTC/USDT' } });
  for (const side of ['buy', 'sell']) await call('get', '/api/fees/compare', { query: { base: 'BTC', amount: '0.01234', side } });
  await call('get', '/api/premium', { query: { base: 'BTC' } });
  await call('get', '/api/tickers', { query: { accountId: B, symbols: 'BTC/USDT,ETH/USDT' } });
  await call('get', '/api/tickers', { query: { accountId: U, symbols: 'BTC/KRW,USDT/KRW' } });
  for (const id of [B, U]) await call('get', '/api/accounts/{id}/balances', { params: { id } });
  for (const exchange of ['binance', 'upbit']) await call('get', '/api/markets/{exchange}', { params: { exchange } });
  await call('get', '/api/exchanges');
  // Closing the Upbit position: a liquidation order, and a position with realized PnL only.
  const closed = await call('post', '/api/positions/close', { body: { accountId: U, symbol: 'BTC/KRW' } });
  await orderStatus(closed.id, 'FILLED');
  await call('get', '/api/orders/{id}', { params: { id: first.id } });
  await call('get', '/api/positions');
  return recorded;
}

// ---------------------------------------------------------------------------------- the inputs

interface Outcome {
  status: number;
  body: { code?: string; message?: string; details?: { field?: string } } & Record<string, unknown>;
}

/** Exchange rules on size (magnitude, not form): an order probe that ends on one of them accepted the number. */
const SIZE_RULES = [
  'ORDER.INSUFFICIENT_BALANCE',
  'ORDER.BELOW_MIN_NOTIONAL',
  'ORDER.BELOW_MIN_TOTAL',
  'ORDER.AMOUNT_TOO_SMALL',
  'ORDER.BELOW_MIN_AMOUNT',
  'ORDER.ABOVE_MAX_AMOUNT',
  'ORDER.ABOVE_MAX_NOTIONAL',
];

interface MarketInfo {
  exchange: 'binance' | 'upbit';
  amountStep: string;
  minNotional: string;
}

/** Accounts and paused conditions the probes send values to, away from the recorded session. */
interface Probes {
  /** Sim accounts with nothing on them: an order is checked by every rule and refused by the balance check. */
  empty: Ids;
  /** Sim accounts with 1,000 BTC, 900 of them adopted into a position. */
  deep: Ids;
  stop: string;
  trailing: string;
  markets: Map<string, MarketInfo>;
  /** An account's exchange, for balances (which print no symbol). */
  exchangeOf: Map<string, 'binance' | 'upbit'>;
}

/** A value's market: the nearest `symbol` around it, or what the field means (premium, USD/KRW rate, a balance's asset). */
function marketOf(p: Printed, probes: Probes): string {
  const field = fieldOf(p.op, p.path);
  if (/usdtKrw$/.test(field)) return 'USDT/KRW';
  if (field === 'premium.upbit.price' || field === 'premium.binancePriceKrw') return 'BTC/KRW';
  if (field === 'premium.binance.price') return 'BTC/USDT';
  if (field.startsWith('balance.')) {
    const asset = p.around[0].asset as string;
    const exchange = probes.exchangeOf.get(p.around.find((o) => typeof o.accountId === 'string')!.accountId as string)!;
    const quote = exchange === 'upbit' ? 'KRW' : 'USDT';
    return asset === quote ? `BTC/${quote}` : `${asset}/${quote}`;
  }
  if (field.startsWith('feeVenue.totalKrw')) return 'BTC/KRW';
  if (field.startsWith('feeVenue.totalUsdt')) return 'BTC/USDT';
  if (field.startsWith('positions.totals.KRW')) return 'BTC/KRW';
  if (field.startsWith('positions.totals.USDT')) return 'BTC/USDT';
  if (field === 'exchange.capabilities.minOrderValue.amount') return `BTC/${String(p.around[0].currency)}`;
  const symbol = p.around.find((o) => typeof o.symbol === 'string')?.symbol as string | undefined;
  if (field.startsWith('market.') && symbol && !probes.markets.has(symbol)) return 'BTC/USDT';
  return symbol ?? 'BTC/USDT';
}

const ceilStep = (value: DecimalClass, step: string) => value.div(step).ceil().times(step);

interface InputSpec {
  /** Where the spec declares it: an operation and a request-body path, or a query parameter. */
  op: string;
  body?: string;
  query?: string;
  /** The values it takes: a positive decimal, a percentage below 100 (0 allowed or not), any signed decimal… */
  takes: (v: DecimalClass) => boolean;
  /** The request, and what counts as accepted (a PATCH answers with the value it stored: the same number). */
  send: (s: TradingStack, probes: Probes, value: string, market: string) => Promise<Outcome>;
  accepted: (o: Outcome, value: string) => boolean;
}

const positive = (v: DecimalClass) => v.gt(0);
const created = (o: Outcome) => o.status === 201;
const ok = (o: Outcome) => o.status === 200;
const orderAccepted = (o: Outcome) =>
  o.status === 201 || (o.status === 400 && SIZE_RULES.includes(o.body.code ?? '') && !o.body.details?.field);
const post = async (s: TradingStack, path: string, body: object): Promise<Outcome> => {
  const res = await s.api().post(path).send(body);
  return { status: res.status, body: res.body };
};
const patch = async (s: TradingStack, id: string, body: object): Promise<Outcome> => {
  const res = await s.api().patch(`/api/conditions/${id}`).send(body);
  return { status: res.status, body: res.body };
};
/** Arms a condition on the deep Binance account, then cancels it: acceptance is the 201. */
const armAndCancel = async (s: TradingStack, body: object): Promise<Outcome> => {
  const outcome = await post(s, '/api/conditions', body);
  if (outcome.status === 201)
    await s
      .api()
      .delete(`/api/conditions/${outcome.body.id as string}`)
      .expect(200);
  return outcome;
};
const conditional = (probes: Probes, leaf: object, then: object = { symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: '10' }) => ({
  kind: 'conditional',
  accountId: probes.deep.binance,
  when: { all: [{ time: { at: '2099-01-01T00:00:00Z' } }, leaf] },
  then: { order: then },
});

const INPUTS: Record<Input, InputSpec> = {
  'order.price': {
    op: 'POST /api/orders',
    body: 'price',
    takes: positive,
    send: (s, p, value, market) => {
      const m = p.markets.get(market)!;
      const amount = ceilStep(d(m.minNotional).times(2).div(value), m.amountStep).toFixed();
      return post(s, '/api/orders', { accountId: p.empty[m.exchange], symbol: market, side: 'buy', type: 'limit', price: value, amount });
    },
    accepted: orderAccepted,
  },
  'order.amount': {
    op: 'POST /api/orders',
    body: 'amount',
    takes: positive,
    send: async (s, p, value, market) => {
      const m = p.markets.get(market)!;
      const { price } = await s.control<{ price: string }>('GET', `/price?exchange=${m.exchange}&symbol=${encodeURIComponent(market)}`);
      return post(s, '/api/orders', { accountId: p.empty[m.exchange], symbol: market, side: 'sell', type: 'limit', amount: value, price });
    },
    accepted: orderAccepted,
  },
  'order.cost': {
    op: 'POST /api/orders',
    body: 'cost',
    takes: positive,
    send: (s, p, value, market) =>
      post(s, '/api/orders', {
        accountId: p.empty[p.markets.get(market)!.exchange],
        symbol: market,
        side: 'buy',
        type: 'market',
        cost: value,
      }),
    accepted: orderAccepted,
  },
  'adopt.averageEntry': {
    op: 'POST /api/positions/adopt',
    body: 'averageEntry',
    takes: positive,
    send: (s, p, value) =>
      post(s, '/api/positions/adopt', { accountId: p.deep.upbit, symbol: 'BTC/KRW', amount: '0.00000001', averageEntry: value }),
    accepted: created,
  },
  'adopt.amount': {
    op: 'POST /api/positions/adopt',
    body: 'amount',
    takes: positive,
    send: (s, p, value) =>
      post(s, '/api/positions/adopt', { accountId: p.deep.upbit, symbol: 'BTC/KRW', amount: value, averageEntry: '70000000' }),
    accepted: created,
  },
  'fees.amount': {
    op: 'GET /api/fees/compare',
    query: 'amount',
    takes: positive,
    send: async (s, _p, value) => {
      const res = await s.api().get('/api/fees/compare').query({ base: 'BTC', amount: value, side: 'buy' });
      return { status: res.status, body: res.body };
    },
    accepted: ok,
  },
  'condition.triggerPrice': {
    op: 'PATCH /api/conditions/{id}',
    body: 'triggerPrice',
    takes: positive,
    send: (s, p, value) => patch(s, p.stop, { triggerPrice: value, allowImmediate: true }),
    accepted: (o, value) => ok(o) && d(o.body.triggerPrice as string).eq(value),
  },
  'condition.triggerPercent': {
    op: 'PATCH /api/conditions/{id}',
    body: 'triggerPercent',
    takes: (v) => v.gte(0) && v.lt(100),
    send: (s, p, value) => patch(s, p.stop, { triggerPercent: value, allowImmediate: true }),
    accepted: ok,
  },
  'condition.amount': {
    op: 'PATCH /api/conditions/{id}',
    body: 'amount',
    takes: (v) => v.gt(0) && v.lte(900),
    send: (s, p, value) => patch(s, p.stop, { amount: value }),
    accepted: (o, value) => ok(o) && d(o.body.amount as string).eq(value),
  },
  'condition.trailPercent': {
    op: 'PATCH /api/conditions/{id}',
    body: 'trailPercent',
    takes: (v) => v.gt(0) && v.lt(100),
    send: (s, p, value) => patch(s, p.trailing, { trailPercent: value }),
    accepted: (o, value) => ok(o) && d(o.body.trailPercent as string).eq(value),
  },
  'condition.trailAmount': {
    op: 'PATCH /api/conditions/{id}',
    body: 'trailAmount',
    takes: positive,
    send: (s, p, value) => patch(s, p.trailing, { trailAmount: value }),
    accepted: (o, value) => ok(o) && d(o.body.trailAmount as string).eq(value),
  },
  'condition.activationPrice': {
    op: 'POST /api/conditions',
    body: 'activationPrice',
    takes: positive,
    send: (s, p, value) =>
      armAndCancel(s, {
        kind: 'trailing_stop',
        accountId: p.deep.binance,
        symbol: 'BTC/USDT',
        trailPercent: '5',
        activationPrice: value,
        amount: '0.001',
      }),
    accepted: created,
  },
  'condition.limitOffset': {
    op: 'POST /api/conditions',
    body: 'execution.limitOffset',
    takes: (v) => v.gt(0) && v.lt(100),
    send: (s, p, value) =>
      armAndCancel(s, {
        kind: 'stop_loss',
        accountId: p.deep.binance,
        symbol: 'BTC/USDT',
        triggerPrice: '1',
        amount: '0.001',
        execution: { type: 'limit', limitOffset: value },
      }),
    accepted: created,
  },
  'when.price.value': {
    op: 'POST /api/conditions',
    body: 'when.price.value',
    takes: (v) => v.gte(0),
    send: (s, p, value) => armAndCancel(s, conditional(p, { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '<=', value } })),
    accepted: created,
  },
  'when.change.percent': {
    op: 'POST /api/conditions',
    body: 'when.change.percent',
    takes: (v) => !v.isZero(),
    send: (s, p, value) => armAndCancel(s, conditional(p, { change: { exchange: 'binance', symbol: 'BTC/USDT', percent: value } })),
    accepted: created,
  },
  'when.premium.value': {
    op: 'POST /api/conditions',
    body: 'when.premium.value',
    takes: () => true,
    send: (s, p, value) => armAndCancel(s, conditional(p, { premium: { base: 'BTC', op: '<=', value } })),
    accepted: created,
  },
  'then.order.cost': {
    op: 'POST /api/conditions',
    body: 'then.order.cost',
    takes: positive,
    send: (s, p, value) =>
      armAndCancel(
        s,
        conditional(
          p,
          { price: { exchange: 'binance', symbol: 'BTC/USDT', op: '<=', value: '1' } },
          { symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: value },
        ),
      ),
    accepted: created,
  },
};

/** Whether the spec declares an input: a body property (nested ones in the property's example or description), or a query parameter. */
function specHasInput(spec: OpenApi, input: InputSpec): boolean {
  const [method, path] = input.op.split(' ') as [string, string];
  const operation = spec.paths[path]?.[method.toLowerCase()];
  if (!operation) return false;
  if (input.query) return (operation.parameters ?? []).some((p) => p.name === input.query && p.in === 'query');
  const body = resolve(spec, operation.requestBody?.content?.['application/json']?.schema);
  const [top, ...rest] = input.body!.split('.');
  const property = (body?.properties as Record<string, Schema> | undefined)?.[top];
  if (!property) return false;
  if (rest.length === 0) return true;
  const text = JSON.stringify(property.example ?? {}) + (typeof property.description === 'string' ? property.description : '');
  return rest.every((segment) => text.includes(segment));
}

// ---------------------------------------------------------------------------------- the suite

describe.each(TEST_DRIVERS)('decimals round-trip on %s', (driver) => {
  let s: TradingStack;
  let session: Recorded[];
  let spec: OpenApi;
  let printed: Printed[];

  beforeAll(async () => {
    // Ticks of 500 ms: fast enough for the trailing stops. At 100 ms the engine's Upbit ticker reads
    // alone fill Upbit's quotation budget and GET /api/positions waits behind them without end.
    s = await startTradingStack(driver, { TICK_MS: '500' });
    session = await recordSession(s);
    spec = (await s.api().get('/api/docs-json').expect(200)).body as OpenApi;
    printed = session.flatMap((r) => decimalsIn(r.op, r.body, r.query));
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('prints every decimal as a JSON string of the input form', () => {
    expect(printed.length).toBeGreaterThan(300);
    const malformed = printed.filter((p) => !INPUT_DECIMAL.test(p.value)).map((p) => `${p.op} ${p.path} = ${p.value}`);
    expect(malformed).toEqual([]);
    expect(session.flatMap((r) => fractionalNumbersIn(r.op, r.body))).toEqual([]);
  });

  it('pairs every decimal output of the spec and of the session with an input, or lists it as output-only', () => {
    const fields = new Set([...specDecimalOutputs(spec).map((o) => fieldOf(o.op, o.path)), ...printed.map((p) => fieldOf(p.op, p.path))]);
    const unpaired = [...fields].filter((f) => !(f in PAIRS) && !(f in OUTPUT_ONLY)).sort((a, b) => a.localeCompare(b));
    expect(unpaired, 'decimal outputs with no input pair and not listed as output-only').toEqual([]);
    expect(Object.keys(PAIRS).filter((f) => f in OUTPUT_ONLY)).toEqual([]);
    // Every input the table names is one the spec declares.
    const undeclared = Object.entries(INPUTS)
      .filter(([, input]) => !specHasInput(spec, input))
      .map(([name]) => name);
    expect(undeclared).toEqual([]);
  });

  /** The inputs of the same meaning as a printed decimal that take its value (a positive-only input skips a negative PnL). */
  function inputsTaking(p: Printed): Input[] {
    const pair = PAIRS[fieldOf(p.op, p.path)];
    if (!pair) return [];
    const inputs = typeof pair === 'function' ? pair(p) : pair;
    return inputs.filter((name) => INPUTS[name].takes(d(p.value)));
  }

  it('accepts every printed decimal back by the inputs of the same meaning', async () => {
    const probes = await setUpProbes(s, session);
    const refused: string[] = [];
    const tried = new Map<string, Outcome>();
    let count = 0;
    for (const p of printed) {
      const market = marketOf(p, probes);
      for (const name of inputsTaking(p)) {
        const input = INPUTS[name];
        const key = `${name} ${p.value} ${market}`;
        let outcome = tried.get(key);
        if (!outcome) {
          outcome = await input.send(s, probes, p.value, market);
          tried.set(key, outcome);
          count++;
        }
        if (!input.accepted(outcome, p.value))
          refused.push(
            `${p.op} ${p.path} = ${p.value} → ${name} (${market}): ${outcome.status} ${outcome.body.code ?? ''} ${outcome.body.message ?? ''}`,
          );
      }
    }
    if (process.env.DECIMAL_ROUND_TRIP_LOG)
      console.log([...tried].map(([key, o]) => `${key} → ${o.status} ${o.body.code ?? ''}`).join('\n'));
    expect(count).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  }, 120_000);
});

/** Probe accounts (empty, and deep with an adopted position) and the paused conditions that take PATCHes. */
async function setUpProbes(s: TradingStack, session: Recorded[]): Promise<Probes> {
  const account = async (exchange: 'binance' | 'upbit', name: string, balances: Record<string, string>) => {
    const apiKey = `probe-${name}-${exchange}`;
    const secret = `probe-${name}-${exchange}-secret`;
    await s.control('POST', '/accounts', { exchange, apiKey, secret, balances });
    return (
      (
        await s
          .api()
          .post('/api/accounts')
          .send({ exchange, mode: 'sim', label: `${name} ${exchange}`, apiKey, secret })
          .expect(201)
      ).body as {
        id: string;
      }
    ).id;
  };
  const empty = { binance: await account('binance', 'empty', {}), upbit: await account('upbit', 'empty', {}) };
  const deep = {
    binance: await account('binance', 'deep', { BTC: '1000', USDT: '100000' }),
    upbit: await account('upbit', 'deep', { BTC: '1000', KRW: '100000000' }),
  };
  await s
    .api()
    .post('/api/positions/adopt')
    .send({ accountId: deep.binance, symbol: 'BTC/USDT', amount: '900', averageEntry: '50000' })
    .expect(201);
  await s
    .api()
    .post('/api/positions/adopt')
    .send({ accountId: deep.upbit, symbol: 'BTC/KRW', amount: '900', averageEntry: '70000000' })
    .expect(201);
  const arm = async (body: object) => {
    const id = ((await s.api().post('/api/conditions').send(body).expect(201)).body as { id: string }).id;
    await s.api().post(`/api/conditions/${id}/pause`).expect(200);
    return id;
  };
  const stop = await arm({ kind: 'stop_loss', accountId: deep.binance, symbol: 'BTC/USDT', triggerPrice: '1', amount: '0.001' });
  const trailing = await arm({ kind: 'trailing_stop', accountId: deep.binance, symbol: 'BTC/USDT', trailPercent: '5', amount: '0.001' });
  const markets = new Map<string, MarketInfo>();
  for (const r of session.filter((x) => x.op === 'GET /api/markets/{exchange}')) {
    const body = r.body as {
      exchange: 'binance' | 'upbit';
      markets: Array<{ symbol: string; amountStep: string; minNotional: string | null }>;
    };
    for (const m of body.markets)
      markets.set(m.symbol, {
        exchange: body.exchange,
        amountStep: m.amountStep,
        minNotional: m.minNotional ?? (body.exchange === 'upbit' ? '5000' : '5'),
      });
  }
  const accounts = (await s.api().get('/api/accounts').expect(200)).body as
    Array<{ id: string; exchange: 'binance' | 'upbit' }> | { items: Array<{ id: string; exchange: 'binance' | 'upbit' }> };
  const list = Array.isArray(accounts) ? accounts : accounts.items;
  return { empty, deep, stop, trailing, markets, exchangeOf: new Map(list.map((a) => [a.id, a.exchange])) };
}
