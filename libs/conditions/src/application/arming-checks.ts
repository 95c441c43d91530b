import type { QueryBus } from '@nestjs/cqrs';
import { type ExchangeGateway, ExchangeGateways, type Market, snapToPriceGrid } from '@tradedesk/exchanges';
import { GetPositionQuery, type PositionFacts } from '@tradedesk/orders';
import { type Decimal, dec, NotFoundError, ValidationError } from '@tradedesk/shared';
import { PRICE_SOURCES, type PriceSource } from '../domain/condition.types.js';
import { leavesWithPaths, type WhenNode } from '../domain/when-tree.js';

/**
 * The checks a condition passes when it is armed or changed: amounts against the position,
 * triggers from percentages onto the market's grid, and every market it names against its
 * exchange. A condition that passes them can be evaluated every tick without failing there.
 */

/** The same decimals the HTTP layer takes everywhere: what tradedesk prints is accepted back. */
const DECIMAL = /^(0|[1-9]\d{0,17})(\.\d{1,18})?$/;

export function invalid(field: string, message: string, code = 'CONDITION.INVALID'): never {
  throw new ValidationError(code, `${field}: ${message}`, { field });
}

/** An object of the request takes only the fields it names: an unknown one is refused, not dropped. */
export function onlyKnownKeys(value: unknown, allowed: readonly string[], field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'must be an object');
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) invalid(`${field}.${key}`, `is not a known field (one of ${allowed.join(', ')})`);
}

export function positive(value: unknown, field: string): Decimal {
  if (typeof value !== 'string' || !DECIMAL.test(value) || dec(value).lte(0)) invalid(field, 'must be a positive decimal string');
  return dec(value);
}

/** A percentage strictly between 0 and 100 (trails, offsets). */
export function percent(value: unknown, field: string): Decimal {
  const p = positive(value, field);
  if (p.gte(100)) invalid(field, 'must be below 100 (percent)');
  return p;
}

/** A trigger distance from the average entry: 0 (break-even) up to below 100. */
export function triggerDistance(value: unknown, field: string): Decimal {
  if (typeof value !== 'string' || !DECIMAL.test(value)) invalid(field, 'must be a decimal string from 0 (break-even) to below 100');
  const p = dec(value);
  if (p.gte(100)) invalid(field, 'must be below 100 (percent)');
  return p;
}

/** `all` (the position), `balance` (the whole free balance), `N%` of the position (0 < N ≤ 100) or a positive base amount. */
export function parseAmount(value: unknown, field = 'amount'): string {
  if (value === 'all' || value === 'balance') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const p = positive(value.slice(0, -1), field);
    if (p.gt(100)) invalid(field, 'a percentage of the position must be at most 100%');
    return `${p.toFixed()}%`;
  }
  if (typeof value !== 'string' || !DECIMAL.test(value))
    invalid(
      field,
      'must be "all" (the position), "balance" (the whole free balance), a percentage such as "50%" or a base amount such as "0.01"',
    );
  return positive(value, field).toFixed();
}

export function readPositionFacts(queries: QueryBus, accountId: string, symbol: string): Promise<PositionFacts> {
  return queries.execute<GetPositionQuery, PositionFacts>(new GetPositionQuery(accountId, symbol));
}

/**
 * An exit's amount against its position: `all` and a percentage need a position, a fixed amount
 * may not be larger than it (several exits may each cover all of it: one fires, the others shrink
 * or end); `balance` needs a free balance. Coins held outside tradedesk are no position: the
 * message says how to bring them in.
 */
export async function checkExitAmount(
  amount: string,
  position: PositionFacts,
  market: Market,
  gateway: ExchangeGateway,
  field = 'amount',
): Promise<void> {
  const outside = `coins held outside tradedesk are in no position: adopt them (POST /api/positions/adopt) or sell the whole free balance with "amount": "balance"`;
  if (amount === 'balance') {
    const free = (await gateway.fetchBalances())[market.base]?.free ?? dec(0);
    if (!free.gt(0)) invalid(field, `there is no free ${market.base} on this account to sell`, 'CONDITION.NOTHING_TO_SELL');
    return;
  }
  if (position.quantity.isZero())
    invalid(field, `there is no ${market.symbol} position on this account to sell (${outside})`, 'CONDITION.NO_POSITION');
  if (amount === 'all' || amount.endsWith('%')) return;
  if (dec(amount).gt(position.quantity))
    invalid(
      field,
      `${amount} is larger than the position (${position.quantity.toFixed()} ${market.base}); ${outside}`,
      'CONDITION.AMOUNT_EXCEEDS_POSITION',
    );
}

export interface ResolvedTrigger {
  price: Decimal;
  /** Set when the trigger came from a percentage: the unsnapped value, for the timeline. */
  exact?: Decimal;
  percent?: Decimal;
}

/**
 * A trigger given as a price, or as a percentage from the position's average entry: below it for
 * a stop (`direction` −1), above it for a take-profit (+1). A computed trigger snaps onto the
 * market's price grid — down for a stop, up for a take-profit. `triggerPercent: "0"` is the
 * average entry itself (break-even before fees).
 */
export function resolveTrigger(
  t: { triggerPrice?: string; triggerPercent?: string } | undefined,
  prefix: string,
  direction: -1 | 1,
  entry: Decimal | undefined,
  grid: { market: Market; gateway: ExchangeGateway },
): ResolvedTrigger | undefined {
  if (t?.triggerPrice !== undefined && t.triggerPercent !== undefined)
    invalid(`${prefix}triggerPrice`, 'give exactly one of triggerPrice or triggerPercent');
  if (t?.triggerPrice !== undefined) return { price: positive(t.triggerPrice, `${prefix}triggerPrice`) };
  if (t?.triggerPercent === undefined) return undefined;
  const p = triggerDistance(t.triggerPercent, `${prefix}triggerPercent`);
  if (!entry)
    invalid(`${prefix}triggerPercent`, 'there is no position with an average entry to take a percentage of', 'CONDITION.NO_POSITION');
  const exact = entry.times(dec(100).plus(p.times(direction))).div(100);
  const price = snapToPriceGrid(grid.market, grid.gateway.capabilities, exact, direction < 0 ? 'down' : 'up');
  return { price, exact, percent: p };
}

/**
 * Break-even for a stop: the average entry (buy fees included) plus the fee the exit will pay,
 * snapped up onto the grid — a stop moved there cannot lose money on the position.
 */
export async function breakEvenTrigger(entry: Decimal, grid: { market: Market; gateway: ExchangeGateway }): Promise<ResolvedTrigger> {
  const fee = await grid.gateway.fetchTradingFee(grid.market.symbol);
  const exact = entry.div(dec(1).minus(fee.taker));
  return { price: snapToPriceGrid(grid.market, grid.gateway.capabilities, exact, 'up'), exact };
}

/** A price source the watched exchange can give: Upbit's tickers carry no bid or ask (nor, then, a mark). */
export function checkSource(source: unknown, gateway: ExchangeGateway, field: string): PriceSource {
  const value = (source ?? 'last') as PriceSource;
  if (!PRICE_SOURCES.includes(value)) invalid(field, `must be one of ${PRICE_SOURCES.join(', ')}`);
  if (value !== 'last' && !gateway.capabilities.tickerBidAsk)
    invalid(
      field,
      `${gateway.exchange} reports no best bid or ask in its tickers: only "last" can be watched there`,
      'CONDITION.SOURCE_NOT_AVAILABLE',
    );
  return value;
}

/** A market of an exchange, or a 404 that names the request field it came from. */
export async function marketAt(gateway: ExchangeGateway, symbol: string, field: string): Promise<Market> {
  try {
    return await gateway.market(symbol);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotFoundError('MARKET.NOT_FOUND', `${field}: ${gateway.exchange} has no spot market ${symbol}`, { field, symbol });
    throw error;
  }
}

/**
 * Every market a `when` tree watches exists on the exchange of the account that will read it
 * (the first account of that exchange, as the engine reads it), and every source it watches is
 * one that exchange gives. An unknown market would otherwise fail the price read of its account
 * every tick.
 */
export async function checkWhenMarkets(
  when: WhenNode,
  gateways: ExchangeGateways,
  own: { accountId: string; exchange: string; actionSymbol: string },
): Promise<void> {
  const accounts = await gateways.listAccounts();
  const accountOf = (exchange: string, field: string) => {
    if (exchange === own.exchange) return own.accountId;
    const found = accounts.find((a) => a.exchange === exchange);
    if (!found) throw new NotFoundError('ACCOUNT.NOT_FOUND', `${field}: there is no ${exchange} account to read it`, { field });
    return found.id;
  };
  for (const { path, leaf } of leavesWithPaths(when)) {
    if ('price' in leaf || 'change' in leaf) {
      const [key, ref] = 'price' in leaf ? ['price', leaf.price] : ['change', leaf.change];
      const at = `${path}.${key}`;
      const gateway = await gateways.forAccount(accountOf(ref.exchange ?? own.exchange, `${at}.exchange`));
      await marketAt(gateway, ref.symbol ?? own.actionSymbol, `${at}.symbol`);
      checkSource(ref.source, gateway, `${at}.source`);
    }
    if ('premium' in leaf) {
      const at = `${path}.premium.base`;
      const upbit = await gateways.forAccount(accountOf('upbit', at));
      const binance = await gateways.forAccount(accountOf('binance', at));
      await marketAt(upbit, `${leaf.premium.base}/KRW`, at);
      await marketAt(upbit, 'USDT/KRW', at);
      await marketAt(binance, `${leaf.premium.base}/USDT`, at);
    }
  }
}
