import { type ExchangeCapabilities, type Market, snapToPriceGrid } from '@tradedesk/exchanges';
import { dec, type Decimal } from '@tradedesk/shared';
import { floorToStep, offsetPrice } from './exit-plan.js';
import type { EntryDefinition, ExitsDefinition, SizeDefinition } from './template-definition.js';

/** The book and the account as the entry is planned against them. */
export interface EntryFacts {
  market: Pick<Market, 'symbol' | 'base' | 'quote' | 'priceStep' | 'amountStep'>;
  capabilities: Pick<ExchangeCapabilities, 'priceStepRule' | 'marketBuyByCost'>;
  bestBid: Decimal;
  bestAsk: Decimal;
  freeQuote: Decimal;
  /** Free and locked: what a risk percentage is taken of. */
  totalQuote: Decimal;
  freeBase: Decimal;
  takerFee: Decimal;
  makerFee: Decimal;
  /** Where a buy's fee is charged in the quote currency (Upbit) rather than taken from the coins received (Binance). */
  quoteFeeOnBuy: boolean;
}

/** The entry order as it will be asked for (before the exchange's rules round it), and what it is expected to cost. */
export interface EntryPlan {
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
  /** The price it is expected to fill at: the best ask (buy) or bid (sell) for a market order, the limit otherwise. */
  expectedPrice: Decimal;
  feeRate: Decimal;
}

const HUNDRED = dec(100);

/**
 * The entry of a template against the book and balances now: a market order, or a limit
 * `offsetPercent` from the best bid (buy, snapped down) or ask (sell, snapped up); sized from a base
 * amount, a quote cost, a percentage of the free balance (quote for a buy, base for a sell) or a
 * risk percentage of the quote balance over the stop distance (fees of both legs included).
 * Market buys go by cost where the exchange sizes them in quote (Upbit) or the size is money.
 */
export function planEntry(
  terms: { side: 'buy' | 'sell'; entry: EntryDefinition; size: SizeDefinition; exits?: ExitsDefinition },
  facts: EntryFacts,
): EntryPlan {
  const { side, entry } = terms;
  const grid = { market: facts.market, capabilities: facts.capabilities };
  const limit = entry.type === 'limit' ? limitPrice(side, entry.offsetPercent, facts) : undefined;
  // A limit through the book fills at the book's price, as a taker.
  const marketable = limit !== undefined && (side === 'buy' ? limit.gte(facts.bestAsk) : limit.lte(facts.bestBid));
  const book = side === 'buy' ? facts.bestAsk : facts.bestBid;
  const expectedPrice = limit === undefined || marketable ? book : limit;
  const feeRate = limit === undefined || marketable ? facts.takerFee : facts.makerFee;
  const sized = sizeOf(terms, facts, expectedPrice, feeRate, grid);
  if (limit !== undefined) return { side, type: 'limit', amount: amountOf(sized, limit), price: limit, expectedPrice, feeRate };
  const byCost = side === 'buy' && (facts.capabilities.priceStepRule === 'krw-price-table' || !('amount' in sized));
  if (byCost && facts.capabilities.marketBuyByCost)
    return { side, type: 'market', cost: 'cost' in sized ? sized.cost : sized.amount.times(book), expectedPrice, feeRate };
  return { side, type: 'market', amount: amountOf(sized, book), expectedPrice, feeRate };
}

/** `offsetPercent` from the best bid (a buy, snapped down) or the best ask (a sell, snapped up). */
function limitPrice(side: 'buy' | 'sell', offsetPercent: string, facts: EntryFacts): Decimal {
  const from = side === 'buy' ? facts.bestBid : facts.bestAsk;
  const exact = from.times(HUNDRED.plus(dec(offsetPercent))).div(HUNDRED);
  return snapToPriceGrid(facts.market, facts.capabilities, exact, side === 'buy' ? 'down' : 'up');
}

function amountOf(sized: { amount: Decimal } | { cost: Decimal }, price: Decimal): Decimal {
  return 'amount' in sized ? sized.amount : sized.cost.div(price);
}

function sizeOf(
  terms: { side: 'buy' | 'sell'; size: SizeDefinition; exits?: ExitsDefinition },
  facts: EntryFacts,
  price: Decimal,
  feeRate: Decimal,
  grid: Parameters<typeof offsetPrice>[3],
): { amount: Decimal } | { cost: Decimal } {
  const { size, side } = terms;
  if ('amount' in size) return { amount: dec(size.amount) };
  if ('cost' in size) return { cost: dec(size.cost) };
  if ('balancePercent' in size) {
    const share = dec(size.balancePercent).div(HUNDRED);
    if (side === 'sell') return { amount: floorToStep(facts.freeBase.times(share), facts.market.amountStep) };
    // Where the exchange charges the fee in quote on top of the order, the fee must fit in the balance too.
    return { cost: facts.freeQuote.times(share).div(facts.quoteFeeOnBuy ? dec(1).plus(feeRate) : 1) };
  }
  const stop = offsetPrice(price, dec(terms.exits!.stopLoss!.triggerPercent), -1, grid);
  const lossPerCoin = price.minus(stop).plus(price.times(feeRate)).plus(stop.times(facts.takerFee));
  return { amount: facts.totalQuote.times(dec(size.riskPercent)).div(HUNDRED).div(lossPerCoin) };
}
