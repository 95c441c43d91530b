import type { QueryBus } from '@nestjs/cqrs';
import { type ExchangeGateway, ExchangeGateways, type Market } from '@tradedesk/exchanges';
import { type Decimal, dec, inputPlaces, NotFoundError } from '@tradedesk/shared';
import { Condition, type ConditionState } from '../../domain/condition.js';
import { priceOf } from '../../domain/condition.types.js';
import {
  checkExitAmount,
  checkSource,
  invalid,
  onlyKnownKeys,
  parseAmount,
  percent,
  positive,
  readPositionFacts,
  type ResolvedTrigger,
  resolveTrigger,
} from '../arming-checks.js';
import { type CreateConditionInput, SYMBOL } from '../commands/condition-requests.js';

/**
 * The terms of an exit being armed (stop-loss, take-profit, trailing stop, bracket): its market and
 * what it watches, its size against the position, its triggers — computed ones snapped onto the
 * price grid and recorded in `armed` — and, unless `allowImmediate`, that the price now has not
 * crossed them. Fills `row` in; returns the price observed now.
 */
export async function exitTerms(
  input: CreateConditionInput,
  row: ConditionState,
  armed: Record<string, unknown>,
  deps: { gateways: ExchangeGateways; queries: QueryBus; account: { id: string; exchange: string; mode: string } },
): Promise<Decimal> {
  const { gateways, queries, account } = deps;
  const gateway = await gateways.forAccount(account.id);
  if (typeof input.symbol !== 'string' || !SYMBOL.test(input.symbol)) invalid('symbol', 'must look like BTC/USDT or BTC/KRW');
  const market = await gateway.market(input.symbol);
  row.symbol = market.symbol;
  onlyKnownKeys(input.watch, ['exchange', 'symbol'], 'watch');
  onlyKnownKeys(input.execution, ['type', 'limitOffset'], 'execution');
  onlyKnownKeys(input.stopLoss, ['triggerPrice', 'triggerPercent'], 'stopLoss');
  onlyKnownKeys(input.takeProfit, ['triggerPrice', 'triggerPercent'], 'takeProfit');
  const watchGateway = await watchedMarket(input, row, { gateways, gateway, accountId: account.id, symbol: market.symbol });
  row.source = checkSource(input.source, watchGateway, 'source');
  row.amount = parseAmount(input.amount ?? 'all');
  execution(input, row);
  const position = await readPositionFacts(queries, account.id, market.symbol);
  triggers(input, row, armed, position.averageEntry, { market, gateway });
  const native = input.placement !== undefined && input.placement !== 'emulated';
  if (native) checkNative(input, row, account, gateway);
  await checkExitAmount(row.amount, position, market, gateway);
  if (native) {
    // The list is one order of one amount: "all" is the position as it is now, "balance" the free balance.
    if (row.amount === 'all') row.amount = position.available.toFixed();
    if (row.amount === 'balance') row.amount = ((await gateway.fetchBalances())[market.base]?.free ?? dec(0)).toFixed();
  }
  // The price now, not a cached one: a trigger crossed a moment ago would fire on the next tick.
  const ticker = await watchGateway.fetchTicker(row.watchSymbol!, { fresh: true });
  const observed = priceOf(ticker, row.source);
  if (!input.allowImmediate) new Condition(row).checkNotCrossed(observed);
  return observed;
}

/** The market whose price the exit watches: its own, or `watch` (another exchange's); answers the gateway that reads it. */
async function watchedMarket(
  input: CreateConditionInput,
  row: ConditionState,
  own: { gateways: ExchangeGateways; gateway: ExchangeGateway; accountId: string; symbol: string },
): Promise<ExchangeGateway> {
  row.watchAccountId = own.accountId;
  row.watchSymbol = own.symbol;
  if (!input.watch) return own.gateway;
  const watched = (await own.gateways.listAccounts()).find((a) => a.exchange === input.watch!.exchange);
  if (!watched)
    throw new NotFoundError('ACCOUNT.NOT_FOUND', `watch.exchange: no account on ${String(input.watch.exchange)}`, {
      field: 'watch.exchange',
    });
  if (typeof input.watch.symbol !== 'string' || !SYMBOL.test(input.watch.symbol)) invalid('watch.symbol', 'must look like BTC/USDT');
  const gateway = await own.gateways.forAccount(watched.id);
  row.watchAccountId = watched.id;
  row.watchSymbol = (await gateway.market(input.watch.symbol)).symbol;
  return gateway;
}

/** Market (default) or limit, the limit `limitOffset` % beyond the trigger. */
function execution(input: CreateConditionInput, row: ConditionState): void {
  const { type, limitOffset } = input.execution ?? {};
  if (type !== undefined && type !== 'market' && type !== 'limit') invalid('execution.type', 'must be market or limit');
  row.executionType = type ?? 'market';
  if (limitOffset !== undefined) {
    if (row.executionType !== 'limit') invalid('execution.limitOffset', 'only a limit execution takes an offset');
    row.limitOffset = percent(limitOffset, 'execution.limitOffset');
  } else if (row.executionType === 'limit') row.limitOffset = dec(0);
}

/** Each kind's triggers (or trail); a trigger computed from a percentage is recorded in `armed` with its exact and snapped value. */
function triggers(
  input: CreateConditionInput,
  row: ConditionState,
  armed: Record<string, unknown>,
  entry: Decimal | undefined,
  grid: { market: Market; gateway: ExchangeGateway },
): void {
  const record = (leg: string, field: string, t: ResolvedTrigger | undefined): Decimal => {
    if (!t) invalid(field, 'give exactly one of triggerPrice or triggerPercent');
    if (t.exact) armed[leg] = { triggerPercent: t.percent!.toFixed(), exact: inputPlaces(t.exact).toFixed(), snapped: t.price.toFixed() };
    return t.price;
  };
  switch (input.kind) {
    case 'stop_loss':
      row.stopPrice = record('trigger', 'triggerPrice', resolveTrigger(input, '', -1, entry, grid));
      break;
    case 'take_profit':
      row.takeProfitPrice = record('trigger', 'triggerPrice', resolveTrigger(input, '', 1, entry, grid));
      break;
    case 'bracket': {
      if (!input.stopLoss) invalid('stopLoss', 'a bracket needs a stopLoss leg');
      if (!input.takeProfit) invalid('takeProfit', 'a bracket needs a takeProfit leg');
      const stop = record('stopLoss', 'stopLoss.triggerPrice', resolveTrigger(input.stopLoss, 'stopLoss.', -1, entry, grid));
      const target = record('takeProfit', 'takeProfit.triggerPrice', resolveTrigger(input.takeProfit, 'takeProfit.', 1, entry, grid));
      if (stop.gte(target)) invalid('stopLoss.triggerPrice', 'the stop must be below the take-profit', 'CONDITION.BRACKET_INVERTED');
      row.stopPrice = stop;
      row.takeProfitPrice = target;
      break;
    }
    case 'trailing_stop':
      if ((input.trailPercent === undefined) === (input.trailAmount === undefined))
        invalid('trailPercent', 'give exactly one of trailPercent or trailAmount');
      if (input.trailPercent !== undefined) row.trailPercent = percent(input.trailPercent, 'trailPercent');
      else row.trailAmount = positive(input.trailAmount, 'trailAmount');
      if (input.activationPrice !== undefined) row.activationPrice = positive(input.activationPrice, 'activationPrice');
      break;
  }
}

/** A native bracket: only where the exchange holds OCO lists, on its own market, watching the last price, for one fixed amount. */
function checkNative(
  input: CreateConditionInput,
  row: ConditionState,
  account: { exchange: string; mode: string },
  gateway: { capabilities: { nativeOco: boolean } },
): void {
  if (input.placement !== 'native') invalid('placement', 'must be emulated or native');
  row.placement = 'native';
  if (row.kind !== 'bracket') invalid('placement', 'only a bracket can be placed natively', 'CONDITION.NATIVE_NOT_SUPPORTED');
  if (!gateway.capabilities.nativeOco)
    invalid(
      'placement',
      `${account.exchange} (${account.mode}) cannot hold an OCO order list; this bracket can only be emulated (placement: emulated)`,
      'CONDITION.NATIVE_NOT_SUPPORTED',
    );
  if (input.watch)
    invalid('placement', 'a native bracket triggers on its own market at the exchange: no watch', 'CONDITION.NATIVE_NOT_SUPPORTED');
  if (row.source !== 'last')
    invalid('placement', 'the exchange triggers a native bracket on the last price: source must be last', 'CONDITION.NATIVE_NOT_SUPPORTED');
  if (row.amount!.endsWith('%'))
    invalid('placement', 'a native bracket sells one fixed amount: give a base amount or "all"', 'CONDITION.NATIVE_NOT_SUPPORTED');
}
