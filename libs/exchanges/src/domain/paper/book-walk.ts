import { type Decimal, ZERO } from '@tradedesk/shared';
import type { OrderBookLevel, OrderSide } from '../exchange-gateway.js';

export interface BookFill {
  price: Decimal;
  amount: Decimal;
}

export interface BookWalk {
  fills: BookFill[];
  filled: Decimal;
  /** Quote value of the fills, before fees. */
  cost: Decimal;
  /**
   * An amount: all of it filled. A cost budget: what is left of it buys less than one amount step
   * at the next price. False when the visible book (or the limit) ran out first.
   */
  complete: boolean;
}

/** Up to an amount of the base asset, or as much as a quote budget buys. */
type BookWant = { amount: Decimal; cost?: undefined } | { cost: Decimal; amount?: undefined };

/**
 * Takes liquidity level by level, best first: up to `amount` of the base asset, or as much as a
 * quote `cost` buys in whole amount steps, never past `limit`. The book is not consumed — the
 * live exchange's makers are still there for the next order, as they would be a moment later.
 */
export function walkBook(levels: OrderBookLevel[], side: OrderSide, want: BookWant, amountStep: Decimal, limit?: Decimal): BookWalk {
  const fills: BookFill[] = [];
  let filled = ZERO;
  let cost = ZERO;
  let satisfied = false;
  for (const level of levels) {
    if (limit && (side === 'buy' ? level.price.greaterThan(limit) : level.price.lessThan(limit))) break;
    const wanted = stillWanted(want, filled, cost, level.price, amountStep);
    if (wanted.lessThanOrEqualTo(0)) {
      satisfied = true;
      break;
    }
    const take = level.amount.lessThan(wanted) ? level.amount : wanted;
    if (take.lessThanOrEqualTo(0)) continue;
    fills.push({ price: level.price, amount: take });
    filled = filled.plus(take);
    cost = cost.plus(take.mul(level.price));
  }
  const complete = want.amount !== undefined ? filled.greaterThanOrEqualTo(want.amount) : satisfied || want.cost.equals(cost);
  return { fills, filled, cost, complete };
}

/** Base amount an order still wants at `price`: what is left of its amount, or the whole amount steps the rest of its budget buys. */
function stillWanted(want: BookWant, filled: Decimal, cost: Decimal, price: Decimal, amountStep: Decimal): Decimal {
  return want.amount !== undefined ? want.amount.minus(filled) : floorToStep(want.cost.minus(cost).div(price), amountStep);
}

function floorToStep(value: Decimal, step: Decimal): Decimal {
  return value.div(step).floor().mul(step);
}
