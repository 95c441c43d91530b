import { type ExchangeCapabilities, type Market, snapToPriceGrid } from '@tradedesk/exchanges';
import { dec, type Decimal, ZERO } from '@tradedesk/shared';
import type { ExitExecution, ExitsDefinition } from './template-definition.js';

export type ExitRole = 'stop_loss' | 'take_profit' | 'trailing_stop';

/** One exit of an execution, with prices and amount computed from the entry's actual fill. */
export interface PlannedExit {
  role: ExitRole;
  /** Take-profit rungs count from 1 in price order; 0 for the stop and the trailing stop. */
  rung: number;
  amount: Decimal;
  triggerPrice?: Decimal;
  trailPercent?: Decimal;
  activationPrice?: Decimal;
  execution?: ExitExecution;
  /** The template's terms it came from, for the view. */
  offsetPercent?: string;
  sizePercent?: string;
}

/** The market facts exits are computed against. */
export interface ExitGrid {
  market: Pick<Market, 'quote' | 'priceStep' | 'amountStep'>;
  capabilities: Pick<ExchangeCapabilities, 'priceStepRule'>;
  /** Whether a sell of this amount at this price passes the market's rules (minimum amount, minimum order value). */
  placeable(amount: Decimal, price: Decimal): boolean;
}

/** What an entry bought: its average fill price and the base amount received (fees taken in the base coin deducted). */
export interface EntryFill {
  average: Decimal;
  net: Decimal;
}

/** An exit that could not be planned as the template says: merged into another or left out. */
export interface ExitNote {
  /** The template field it comes from: `exits.stopLoss`, `exits.takeProfit`, `exits.takeProfit.ladder[1]`. */
  field: string;
  message: string;
}

export interface ExitPlan {
  exits: PlannedExit[];
  /** Why a planned exit was merged into another or left out (a share below the market's minimum). */
  notes: ExitNote[];
}

const HUNDRED = dec(100);

/** `percent` % below (−1) or above (+1) `price`, snapped onto the grid away from the fill: down for a stop, up for a target. */
export function offsetPrice(price: Decimal, percent: Decimal, direction: -1 | 1, grid: Pick<ExitGrid, 'market' | 'capabilities'>): Decimal {
  const exact = price.times(HUNDRED.plus(percent.times(direction))).div(HUNDRED);
  return snapToPriceGrid(grid.market, grid.capabilities, exact, direction < 0 ? 'down' : 'up');
}

export function floorToStep(amount: Decimal, step: Decimal): Decimal {
  return amount.div(step).floor().times(step);
}

/**
 * The exits of an entry that filled `fill.net` at `fill.average`: one stop-loss and one trailing
 * stop for the whole of it, and one take-profit per ladder rung for its share — shares floored to
 * the amount step, the last rung taking what is left. A rung whose share is below the market's
 * minimum is merged into the next one (the last into the one before), so every exit can be sold.
 */
export function exitsFromFill(definition: ExitsDefinition | undefined, fill: EntryFill, grid: ExitGrid): ExitPlan {
  const exits: PlannedExit[] = [];
  const notes: ExitNote[] = [];
  if (!definition || fill.net.lte(0)) return { exits, notes };
  const { stopLoss, takeProfit, trailing } = definition;
  if (stopLoss) {
    const trigger = offsetPrice(fill.average, dec(stopLoss.triggerPercent), -1, grid);
    if (grid.placeable(fill.net, trigger))
      exits.push({ role: 'stop_loss', rung: 0, amount: fill.net, triggerPrice: trigger, ...executionOf(stopLoss.execution) });
    else
      notes.push({
        field: 'exits.stopLoss',
        message: `selling ${fill.net.toFixed()} at ${trigger.toFixed()} is below the market's minimum order`,
      });
  }
  if (takeProfit) exits.push(...takeProfits(takeProfit, fill, grid, notes));
  if (trailing) {
    const activation =
      trailing.activationPercent !== undefined ? offsetPrice(fill.average, dec(trailing.activationPercent), 1, grid) : undefined;
    exits.push({
      role: 'trailing_stop',
      rung: 0,
      amount: fill.net,
      trailPercent: dec(trailing.trailPercent),
      ...(activation ? { activationPrice: activation } : {}),
    });
  }
  return { exits, notes };
}

function executionOf(execution: ExitExecution | undefined): { execution?: ExitExecution } {
  return execution ? { execution } : {};
}

function takeProfits(
  takeProfit: NonNullable<ExitsDefinition['takeProfit']>,
  fill: EntryFill,
  grid: ExitGrid,
  notes: ExitNote[],
): PlannedExit[] {
  const rungs = 'ladder' in takeProfit ? takeProfit.ladder : [{ offsetPercent: takeProfit.triggerPercent, sizePercent: '100' }];
  const ladder = 'ladder' in takeProfit;
  const prices = rungs.map((r) => offsetPrice(fill.average, dec(r.offsetPercent), 1, grid));
  const amounts = splitByShares(
    fill.net,
    rungs.map((r) => dec(r.sizePercent)),
    grid.market.amountStep,
  );
  const out: PlannedExit[] = [];
  let carried = ZERO;
  rungs.forEach((rung, i) => {
    carried = carried.plus(amounts[i]);
    const last = i === rungs.length - 1;
    if (carried.isZero() || (!grid.placeable(carried, prices[i]) && !last)) {
      if (ladder && amounts[i].gt(0))
        notes.push({
          field: `exits.takeProfit.ladder[${i}]`,
          message: `its share (${amounts[i].toFixed()} at ${prices[i].toFixed()}) is below the market's minimum order: sold with the next rung`,
        });
      return;
    }
    out.push({
      role: 'take_profit',
      rung: i + 1,
      amount: carried,
      triggerPrice: prices[i],
      offsetPercent: rung.offsetPercent,
      sizePercent: rung.sizePercent,
      ...executionOf(takeProfit.execution),
    });
    carried = ZERO;
  });
  const tail = out.at(-1);
  if (tail && !grid.placeable(tail.amount, tail.triggerPrice!)) {
    out.pop();
    const before = out.at(-1);
    if (before) {
      before.amount = before.amount.plus(tail.amount);
      notes.push({
        field: `exits.takeProfit.ladder[${tail.rung - 1}]`,
        message: `its share (${tail.amount.toFixed()} at ${tail.triggerPrice!.toFixed()}) is below the market's minimum order: sold with rung ${before.rung}`,
      });
    } else
      notes.push({
        field: 'exits.takeProfit',
        message: `selling ${tail.amount.toFixed()} at ${tail.triggerPrice!.toFixed()} is below the market's minimum order`,
      });
  }
  return out;
}

/**
 * `total` in shares (percentages summing to 100), each floored to `step`, the last taking the
 * remainder: the parts always add up to `total` exactly.
 */
export function splitByShares(total: Decimal, shares: readonly Decimal[], step: Decimal): Decimal[] {
  const parts = shares.map((share, i) => (i === shares.length - 1 ? ZERO : floorToStep(total.times(share).div(HUNDRED), step)));
  parts[parts.length - 1] = total.minus(parts.reduce((sum, p) => sum.plus(p), ZERO));
  return parts;
}

/**
 * The stop price at which selling what an entry bought gets back what it cost: the quote paid
 * (fees included) per coin received, plus the exit's own taker fee, snapped up onto the grid.
 */
export function breakEvenPrice(
  paid: Decimal,
  received: Decimal,
  takerFee: Decimal,
  grid: Pick<ExitGrid, 'market' | 'capabilities'>,
): Decimal {
  const exact = paid.div(received).div(dec(1).minus(takerFee));
  return snapToPriceGrid(grid.market, grid.capabilities, exact, 'up');
}
