import { Injectable } from '@nestjs/common';
import {
  type Balances,
  ExchangeGateways,
  type Market,
  normalizeOrder,
  type OrderRuleContext,
  type PlaceOrderRequest,
} from '@tradedesk/exchanges';
import { Decimal, DomainError, ValidationError, ZERO } from '@tradedesk/shared';
import { type EntryFacts, type EntryPlan, planEntry } from '../../domain/entry-plan.js';
import type { ExecutionOverrides } from '../../domain/execution.js';
import {
  type EntryFill,
  type ExitGrid,
  type ExitNote,
  type ExitPlan,
  exitsFromFill,
  floorToStep,
  type PlannedExit,
} from '../../domain/exit-plan.js';
import type { ExitsDefinition, TemplateDefinition } from '../../domain/template-definition.js';
import { type ExecutionTarget, type PlanOptions, resolveTarget } from './execution-target.js';

/** Something about a planned execution the user should know; the ones that would make it fail also stop an execution. */
export interface PlanWarning {
  code: string;
  field?: string;
  message: string;
}

/** What the entry is expected to cost and bring, from the book now. */
export interface EntryEstimate {
  price: Decimal;
  /** Base bought (or sold), before a fee taken in the base coin. */
  amount: Decimal;
  /** Quote spent (or received), before fees. */
  cost: Decimal;
  fee: Decimal;
  feeCurrency: string;
  /** Base received by a buy once a fee in the base coin is taken: what the exits sell. */
  received: Decimal;
  /** Quote paid by a buy, fees included. */
  paid: Decimal;
}

/** A template worked out against the market now: the entry order, its exits from the expected fill, and what stands in the way. */
export interface PlannedExecution {
  target: ExecutionTarget;
  entry: EntryPlan;
  /** The entry as it will be sent (the exchange's rounding applied); undefined when a rule refuses it. */
  order: PlaceOrderRequest | undefined;
  estimate: EntryEstimate;
  exits: PlannedExit[];
  warnings: PlanWarning[];
  /** The first warning that would make the execution fail, as the error an execution answers. */
  blocking: DomainError | undefined;
  takerFee: Decimal;
}

const PREVIEW_CLIENT_ID = 'td-template-preview';

/**
 * Works a template out against the market and the account now — the book's best bid and ask, the
 * balances, the fee rates — as preview shows it and execute places it: nothing is written or sent.
 */
@Injectable()
export class ExecutionPlanner {
  constructor(private readonly gateways: ExchangeGateways) {}

  async plan(definition: TemplateDefinition, overrides: ExecutionOverrides, options: PlanOptions = {}): Promise<PlannedExecution> {
    const target = await resolveTarget(this.gateways, definition, overrides, options);
    const { gateway, market, account } = target;
    // Read now, not from the cache: a limit's offset and a balance share are taken of what is true at this moment.
    const [book, balances, fee] = await Promise.all([
      gateway.fetchOrderBook(market.symbol, 5, { fresh: true }),
      gateway.fetchBalances({ fresh: true }),
      gateway.fetchTradingFee(market.symbol),
    ]);
    const ticker = book.bids.length === 0 || book.asks.length === 0 ? await gateway.fetchTicker(market.symbol, { fresh: true }) : undefined;
    const quoteFeeOnBuy = account.exchange === 'upbit';
    const facts: EntryFacts = {
      market,
      capabilities: gateway.capabilities,
      bestBid: book.bids[0]?.price ?? ticker!.bid ?? ticker!.last,
      bestAsk: book.asks[0]?.price ?? ticker!.ask ?? ticker!.last,
      freeQuote: balances[market.quote]?.free ?? ZERO,
      totalQuote: balances[market.quote]?.total ?? ZERO,
      freeBase: balances[market.base]?.free ?? ZERO,
      takerFee: fee.taker,
      makerFee: fee.maker,
      quoteFeeOnBuy,
    };
    const entry = planEntry(target.terms, facts);
    const context: OrderRuleContext = {
      exchange: account.exchange,
      market,
      capabilities: gateway.capabilities,
      referencePrice: entry.expectedPrice,
    };
    const warnings: PlanWarning[] = [];
    const blocking: DomainError[] = [];
    const request = requestOf(entry, market.symbol);
    const order = checked(() => normalizeOrder(request, context), 'size', warnings, blocking);
    const estimate = estimateOf(order ?? request, entry, facts);
    if (order) checkBalance(order, context, balances, quoteFeeOnBuy ? fee.taker : ZERO, warnings, blocking);
    const grid: ExitGrid = {
      market,
      capabilities: gateway.capabilities,
      placeable: (amount, price) => placeable(context, market.symbol, amount, price),
    };
    const { exits, notes } =
      entry.side === 'buy'
        ? exitsFromFill(target.terms.exits, { average: estimate.price, net: floorToStep(estimate.received, market.amountStep) }, grid)
        : { exits: [], notes: [] as ExitNote[] };
    for (const note of notes) {
      const warning = { code: 'TEMPLATE.EXIT_BELOW_MINIMUM', field: note.field, message: `${note.field}: ${note.message}` };
      warnings.push(warning);
      blocking.push(new ValidationError(warning.code, warning.message, { field: note.field }));
    }
    warnings.push(...crossedExits(exits, facts));
    const caution = cautionOf(market);
    if (caution) warnings.push(caution);
    return { target, entry, order, estimate, exits, warnings, blocking: blocking[0], takerFee: fee.taker };
  }

  /**
   * The exits of an entry that filled: prices from its actual average fill, amounts from what it
   * actually brought (fees taken in the base coin deducted), on the market's grid now.
   */
  async exitsForFill(accountId: string, symbol: string, exits: ExitsDefinition | null, fill: EntryFill): Promise<ExitPlan> {
    if (!exits) return { exits: [], notes: [] };
    const gateway = await this.gateways.forAccount(accountId);
    const market = await gateway.market(symbol);
    const account = await this.gateways.describeAccount(accountId);
    const context: OrderRuleContext = {
      exchange: account.exchange,
      market,
      capabilities: gateway.capabilities,
      referencePrice: fill.average,
    };
    const grid: ExitGrid = {
      market,
      capabilities: gateway.capabilities,
      placeable: (amount, price) => placeable(context, symbol, amount, price),
    };
    return exitsFromFill(exits, { average: fill.average, net: floorToStep(fill.net, market.amountStep) }, grid);
  }

  /** Resolves only where and what (account, market, side, size): for checks that need no prices. */
  target(definition: TemplateDefinition, overrides: ExecutionOverrides): Promise<ExecutionTarget> {
    return resolveTarget(this.gateways, definition, overrides);
  }
}

function requestOf(entry: EntryPlan, symbol: string): PlaceOrderRequest {
  return {
    symbol,
    side: entry.side,
    type: entry.type,
    clientOrderId: PREVIEW_CLIENT_ID,
    ...(entry.amount ? { amount: entry.amount } : {}),
    ...(entry.cost ? { cost: entry.cost } : {}),
    ...(entry.price ? { price: entry.price } : {}),
  };
}

/** Runs one of the exchange's rules; a refusal becomes a warning naming the template field, and blocks. */
function checked<T>(rule: () => T, field: string, warnings: PlanWarning[], blocking: DomainError[]): T | undefined {
  try {
    return rule();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const named = new ValidationError(error.code, `${field}: ${error.message}`, { ...error.details, field });
    warnings.push({ code: error.code, field, message: named.message });
    blocking.push(named);
    return undefined;
  }
}

function checkBalance(
  order: PlaceOrderRequest,
  context: OrderRuleContext,
  balances: Balances,
  feeRate: Decimal,
  warnings: PlanWarning[],
  blocking: DomainError[],
): void {
  checked(() => normalizeOrder(order, { ...context, balances, feeRate }), 'size', warnings, blocking);
}

/** A market sell of `amount` at `price` passes the market's rules (minimum amount and order value). */
function placeable(context: OrderRuleContext, symbol: string, amount: Decimal, price: Decimal): boolean {
  try {
    normalizeOrder(
      { symbol, side: 'sell', type: 'market', amount, clientOrderId: PREVIEW_CLIENT_ID },
      { ...context, referencePrice: price },
    );
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

/**
 * What the entry should cost and bring: a buy's fee is taken from the coins received where the
 * exchange does so (Binance), or paid in quote on top (Upbit); a sell's fee comes off the proceeds.
 */
function estimateOf(order: PlaceOrderRequest, entry: EntryPlan, facts: EntryFacts): EntryEstimate {
  const price = entry.expectedPrice;
  const amountPlaces = facts.market.amountStep.decimalPlaces();
  const amount = order.amount ?? order.cost!.div(price).toDecimalPlaces(amountPlaces, Decimal.ROUND_DOWN);
  const cost = order.cost ?? amount.times(price);
  if (entry.side === 'buy' && !facts.quoteFeeOnBuy) {
    const fee = amount.times(entry.feeRate);
    return { price, amount, cost, fee, feeCurrency: facts.market.base, received: amount.minus(fee), paid: cost };
  }
  const fee = cost.times(entry.feeRate);
  return {
    price,
    amount,
    cost,
    fee,
    feeCurrency: facts.market.quote,
    received: amount,
    paid: entry.side === 'buy' ? cost.plus(fee) : cost,
  };
}

/**
 * A market under Upbit's caution flag (investment warning, or a caution reason such as price
 * fluctuations): worth knowing before buying, yet Upbit still trades it, so it warns and never blocks
 * (no `blocking` entry: the preview stays executable).
 */
function cautionOf(market: Market): PlanWarning | undefined {
  if (!market.caution) return undefined;
  return {
    code: 'TEMPLATE.MARKET_UNDER_CAUTION',
    field: 'symbol',
    message: `symbol: ${market.symbol} is under Upbit's caution flag (${market.cautionReasons.join(', ')}): read Upbit's notice on it before trading`,
  };
}

/** An exit the price now has already crossed would fire as soon as it is armed: on the wrong side of the market. */
function crossedExits(exits: PlannedExit[], facts: EntryFacts): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const exit of exits) {
    if (exit.role === 'stop_loss' && exit.triggerPrice!.gte(facts.bestBid))
      warnings.push({
        code: 'TEMPLATE.EXIT_WRONG_SIDE',
        field: 'exits.stopLoss',
        message: `exits.stopLoss: the stop ${exit.triggerPrice!.toFixed()} is not below the best bid ${facts.bestBid.toFixed()}: it would fire at once`,
      });
    if (exit.role === 'take_profit' && exit.triggerPrice!.lte(facts.bestBid))
      warnings.push({
        code: 'TEMPLATE.EXIT_WRONG_SIDE',
        field: 'exits.takeProfit',
        message: `exits.takeProfit: the target ${exit.triggerPrice!.toFixed()} is not above the best bid ${facts.bestBid.toFixed()}: it would fire at once`,
      });
  }
  return warnings;
}
