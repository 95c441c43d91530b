import { ExchangeGateways, type Market } from '@tradedesk/exchanges';
import { NotFoundError } from '@tradedesk/shared';
import type { ConditionState } from '../../domain/condition.js';
import { parseWhen } from '../../domain/when-tree.js';
import { checkWhenMarkets, invalid, positive } from '../arming-checks.js';
import { type CreateConditionInput, SYMBOL } from '../commands/condition-requests.js';

/**
 * The terms of a conditional being armed: its `when` tree (checked, bounded, every market it names
 * found on its exchange) and the order it places (`then.order`, checked against its market).
 */
export async function conditionalTerms(
  input: CreateConditionInput,
  row: ConditionState,
  deps: { gateways: ExchangeGateways; account: { id: string; exchange: string } },
  now: Date,
): Promise<void> {
  if (input.when === undefined) invalid('when', 'a conditional needs a when tree');
  const when = parseWhen(input.when, now);
  const action = await checkAction(input, deps.gateways, deps.account.id);
  await checkWhenMarkets(when, deps.gateways, {
    accountId: deps.account.id,
    exchange: deps.account.exchange,
    actionSymbol: action.symbol,
  });
  row.whenTree = JSON.stringify(input.when);
  row.action = JSON.stringify(action);
}

async function checkAction(input: CreateConditionInput, gateways: ExchangeGateways, accountId: string): Promise<Record<string, string>> {
  const order = input.then?.order;
  if (!order || typeof order !== 'object') invalid('then.order', 'a conditional needs then.order');
  const { symbol, side, type, amount, cost, price } = order;
  for (const key of Object.keys(order))
    if (!['symbol', 'side', 'type', 'amount', 'cost', 'price'].includes(key)) invalid(`then.order.${key}`, 'is not a known field');
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) invalid('then.order.symbol', 'must look like BTC/USDT or BTC/KRW');
  if (side !== 'buy' && side !== 'sell') invalid('then.order.side', 'must be buy or sell');
  if (type !== 'market' && type !== 'limit') invalid('then.order.type', 'must be market or limit');
  const gateway = await gateways.forAccount(accountId);
  let market: Market;
  try {
    market = await gateway.market(symbol);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotFoundError('MARKET.NOT_FOUND', `then.order.symbol: ${gateway.exchange} has no spot market ${symbol}`, {
        field: 'then.order.symbol',
      });
    throw error;
  }
  const out: Record<string, string> = { symbol: market.symbol, side, type };
  if (amount !== undefined) out.amount = positive(amount, 'then.order.amount').toFixed();
  if (cost !== undefined) out.cost = positive(cost, 'then.order.cost').toFixed();
  if (price !== undefined) out.price = positive(price, 'then.order.price').toFixed();
  if ((out.amount === undefined) === (out.cost === undefined)) invalid('then.order.amount', 'give exactly one of amount or cost');
  if (type === 'limit' && !out.price) invalid('then.order.price', 'a limit order needs a price');
  return out;
}
