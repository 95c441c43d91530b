import { type ExchangeAccountSummary, ExchangeGateways, type ExchangeGateway, type Market } from '@tradedesk/exchanges';
import { NotFoundError } from '@tradedesk/shared';
import type { ExecutionOverrides } from '../../domain/execution.js';
import { checkSizeAgainstExits, type TemplateDefinition } from '../../domain/template-definition.js';
import { invalid } from '../../domain/template-errors.js';

export interface PlanOptions {
  /**
   * Read the market list again rather than use the one loaded: a preview shows Upbit's caution flag
   * as it is now (markets are otherwise loaded once). An execution does not need it: the flag only warns.
   */
  freshMarket?: boolean;
}

/** Where and what a template runs once its overrides are applied: the account, the market, the side and the size. */
export interface ExecutionTarget {
  account: ExchangeAccountSummary;
  gateway: ExchangeGateway;
  market: Market;
  /** The template's terms with the overrides applied (side and size; the exits stay the template's). */
  terms: Pick<TemplateDefinition, 'side' | 'entry' | 'size' | 'exits'>;
}

/**
 * The account is the override's, the template's, or — for a template that names an exchange — the
 * one account of that exchange; the market is the override's or the template's. Each failure names
 * the field to fix: an account of another exchange than the template's, a template without a market
 * and no `symbol`, a market the exchange does not list, a sell asked of a template with exits.
 */
export async function resolveTarget(
  gateways: ExchangeGateways,
  definition: TemplateDefinition,
  overrides: ExecutionOverrides,
  options: PlanOptions = {},
): Promise<ExecutionTarget> {
  const account = await accountOf(gateways, definition, overrides);
  const symbol = overrides.symbol ?? definition.symbol;
  if (!symbol) invalid('symbol', 'the template names no market: give one, e.g. "BTC/USDT"', 'TEMPLATE.SYMBOL_REQUIRED');
  const gateway = await gateways.forAccount(account.id);
  let market: Market;
  try {
    // Only Upbit flags markets (its market list is one light request); Binance's exchangeInfo would cost weight for nothing new.
    market = await gateway.market(symbol, { fresh: options.freshMarket === true && account.exchange === 'upbit' });
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotFoundError('MARKET.NOT_FOUND', `symbol: ${account.exchange} has no spot market ${symbol}`, { field: 'symbol', symbol });
    throw error;
  }
  const side = overrides.side ?? definition.side;
  if (side === 'sell' && definition.exits)
    invalid('side', 'this template arms exits after a buy; a sell runs none (use a sell template)', 'TEMPLATE.EXITS_NEED_A_BUY');
  const terms = { side, entry: definition.entry, size: overrides.size ?? definition.size, exits: definition.exits };
  checkSizeAgainstExits(terms);
  return { account, gateway, market, terms };
}

async function accountOf(
  gateways: ExchangeGateways,
  definition: TemplateDefinition,
  overrides: ExecutionOverrides,
): Promise<ExchangeAccountSummary> {
  const exchange =
    definition.exchange ?? (definition.accountId ? (await named(gateways, definition.accountId, 'accountId')).exchange : undefined);
  if (overrides.accountId) {
    const account = await named(gateways, overrides.accountId, 'accountId');
    if (exchange && account.exchange !== exchange)
      invalid(
        'accountId',
        `the template trades on ${exchange}; account ${account.id} is a ${account.exchange} account`,
        'TEMPLATE.WRONG_EXCHANGE',
      );
    return account;
  }
  if (definition.accountId) return named(gateways, definition.accountId, 'accountId');
  const candidates = (await gateways.listAccounts()).filter((a) => a.exchange === definition.exchange);
  if (candidates.length === 0)
    throw new NotFoundError('ACCOUNT.NOT_FOUND', `exchange: there is no ${definition.exchange} account to run the template on`, {
      field: 'exchange',
    });
  if (candidates.length > 1)
    invalid(
      'accountId',
      `there are ${candidates.length} ${definition.exchange} accounts: name the one to use`,
      'TEMPLATE.ACCOUNT_REQUIRED',
    );
  return candidates[0];
}

async function named(gateways: ExchangeGateways, accountId: string, field: string): Promise<ExchangeAccountSummary> {
  try {
    return await gateways.describeAccount(accountId);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotFoundError('ACCOUNT.NOT_FOUND', `${field}: no account with id ${accountId}`, { field, accountId });
    throw error;
  }
}
