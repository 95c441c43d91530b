import { QueryBus, QueryHandlerNotFoundException } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import type { ConditionState } from '../../domain/condition.js';
import { parseWhen } from '../../domain/when-tree.js';
import { checkWhenMarkets, invalid, marketAt, onlyKnownKeys, positive } from '../arming-checks.js';
import { type CreateConditionInput, SYMBOL } from '../commands/condition-requests.js';
import { CheckTemplateActionQuery, type TemplateActionCheck } from '../template-action.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The terms of a conditional being armed: its `when` tree (checked, bounded, every market it names
 * found on its exchange) and its action — the order it places (`then.order`, checked against its
 * market) or the order template it runs (`then.template`, checked by the templates context).
 */
export async function conditionalTerms(
  input: CreateConditionInput,
  row: ConditionState,
  deps: { gateways: ExchangeGateways; queries: QueryBus; account: { id: string; exchange: string } },
  now: Date,
): Promise<void> {
  if (input.when === undefined) invalid('when', 'a conditional needs a when tree');
  const when = parseWhen(input.when, now);
  const action =
    input.then !== undefined && 'template' in input.then
      ? await checkTemplateAction(input.then, deps.queries, deps.account.id)
      : await checkAction(input, deps.gateways, deps.account.id);
  await checkWhenMarkets(when, deps.gateways, {
    accountId: deps.account.id,
    exchange: deps.account.exchange,
    actionSymbol: action.symbol,
  });
  row.whenTree = JSON.stringify(input.when);
  row.action = JSON.stringify(action);
}

const ORDER_FIELDS = ['symbol', 'side', 'type', 'amount', 'cost', 'price'];

/**
 * `then: { template, overrides }`: the templates context says whether the template can run on this
 * account (it exists, its exchange is the account's, the overrides fit) and which market it trades,
 * which is the market the `when` leaves default to. Stored as `{ template, overrides, symbol }`.
 */
async function checkTemplateAction(
  then: NonNullable<CreateConditionInput['then']>,
  queries: QueryBus,
  accountId: string,
): Promise<{ symbol: string } & Record<string, unknown>> {
  onlyKnownKeys(then, ['template', 'overrides'], 'then');
  if (typeof then.template !== 'string' || !UUID.test(then.template)) invalid('then.template', 'must be a template id (UUID)');
  onlyKnownKeys(then.overrides, ['symbol', 'size'], 'then.overrides');
  const action = { templateId: then.template.toLowerCase(), overrides: (then.overrides ?? {}) as Record<string, unknown> };
  let check: TemplateActionCheck;
  try {
    check = await queries.execute(new CheckTemplateActionQuery(accountId, action));
  } catch (error) {
    if (error instanceof QueryHandlerNotFoundException)
      invalid('then.template', 'order templates are not available in this server', 'CONDITION.TEMPLATES_UNAVAILABLE');
    throw error;
  }
  return { template: action.templateId, overrides: action.overrides, symbol: check.symbol };
}

/** The order a conditional places (`then.order`): its shape, and its market found on the account's exchange. */
async function checkAction(input: CreateConditionInput, gateways: ExchangeGateways, accountId: string): Promise<Record<string, string>> {
  const { symbol, side, type, amount, cost, price } = orderShape(input.then?.order);
  const market = await marketAt(await gateways.forAccount(accountId), symbol, 'then.order.symbol');
  const sized = {
    amount: amount === undefined ? undefined : positive(amount, 'then.order.amount').toFixed(),
    cost: cost === undefined ? undefined : positive(cost, 'then.order.cost').toFixed(),
    price: price === undefined ? undefined : positive(price, 'then.order.price').toFixed(),
  };
  if ((sized.amount === undefined) === (sized.cost === undefined)) invalid('then.order.amount', 'give exactly one of amount or cost');
  if (type === 'limit' && sized.price === undefined) invalid('then.order.price', 'a limit order needs a price');
  const out: Record<string, string> = { symbol: market.symbol, side, type };
  for (const [field, value] of Object.entries(sized)) if (value !== undefined) out[field] = value;
  return out;
}

/** `then.order`'s fields, known and of the right kind (the amounts are checked as decimals by the caller). */
function orderShape(
  order: Record<string, unknown> | undefined,
): { symbol: string; side: 'buy' | 'sell'; type: 'market' | 'limit' } & Record<'amount' | 'cost' | 'price', unknown> {
  if (!order || typeof order !== 'object') invalid('then.order', 'a conditional needs then.order');
  for (const key of Object.keys(order)) if (!ORDER_FIELDS.includes(key)) invalid(`then.order.${key}`, 'is not a known field');
  const { symbol, side, type, amount, cost, price } = order;
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) invalid('then.order.symbol', 'must look like BTC/USDT or BTC/KRW');
  if (side !== 'buy' && side !== 'sell') invalid('then.order.side', 'must be buy or sell');
  if (type !== 'market' && type !== 'limit') invalid('then.order.type', 'must be market or limit');
  return { symbol, side, type, amount, cost, price };
}
