import type { QueryBus } from '@nestjs/cqrs';
import { GetPositionQuery, isTerminal, type OrderSpec, type OrderStatus, PositionClosedError, type PositionFacts } from '@tradedesk/orders';
import { type Decimal, dec, ValidationError, ZERO } from '@tradedesk/shared';
import { type ConditionKind, marketKey } from '../domain/condition.types.js';
import { exitAmount, exitLimitPrice, type ExitTerms, requestedAmount } from '../domain/exit-order.js';
import type { ConditionOrmEntity } from '../infrastructure/persistence/condition.orm-entity.js';

/** The `cause` a condition's order carries on its timeline. */
export function causeOf(kind: ConditionKind): string {
  return kind === 'conditional' ? 'condition' : `condition-${kind}`.slice(0, 32);
}

/** A protective condition's exit terms; undefined for a conditional (its order is its `action`). */
export function exitTermsOf(row: Pick<ConditionOrmEntity, 'kind' | 'amount' | 'executionType' | 'limitOffset'>): ExitTerms | undefined {
  if (row.kind === 'conditional' || row.amount === null) return undefined;
  return { amount: row.amount, executionType: row.executionType, limitOffset: row.limitOffset };
}

/** What the position of a market holds and what an exit may still sell of it (one read per market and batch). */
export function readPosition(
  queries: QueryBus,
  market: { accountId: string; symbol: string },
  cache = new Map<string, Promise<PositionFacts>>(),
): Promise<PositionFacts> {
  const key = marketKey(market.accountId, market.symbol);
  const read = cache.get(key) ?? queries.execute<GetPositionQuery, PositionFacts>(new GetPositionQuery(market.accountId, market.symbol));
  cache.set(key, read);
  return read;
}

/** A fired exit's order, and whether it had to shrink to what the position still holds. */
export interface ExitSpec {
  spec: OrderSpec;
  shrunk: boolean;
  position: PositionFacts;
}

/**
 * The sell a fired protective condition places: its size — a share of the position for `%`, never
 * more than the position still holds — and, for limit execution, its price below the trigger.
 * `taken` is what exits fired earlier in the same batch took from each position (not yet written).
 * With nothing left it throws PositionClosedError: another exit sold the position.
 */
export async function exitOrderSpec(
  queries: QueryBus,
  market: { accountId: string; symbol: string },
  terms: ExitTerms,
  trigger: Decimal,
  positions = new Map<string, Promise<PositionFacts>>(),
  taken = new Map<string, Decimal>(),
): Promise<ExitSpec> {
  const key = marketKey(market.accountId, market.symbol);
  const position = await readPosition(queries, market, positions);
  const before = taken.get(key) ?? ZERO;
  const left = position.available.minus(before);
  const room = { quantity: position.quantity, available: left.gt(0) ? left : ZERO };
  const amount = exitAmount(terms, room);
  if (amount.isZero()) throw new PositionClosedError(market, position.closedBy);
  taken.set(key, before.plus(amount));
  const price = terms.executionType === 'limit' ? exitLimitPrice(terms, trigger) : undefined;
  return {
    spec: {
      accountId: market.accountId,
      symbol: market.symbol,
      side: 'sell',
      type: terms.executionType,
      amount,
      ...(price ? { price } : {}),
    },
    shrunk: amount.lt(requestedAmount(terms, position.quantity)),
    position,
  };
}

/**
 * An exit that shrank to what was left and is now under the market's minimum (amount or order
 * value) cannot be sold: the position is closed for it, as when nothing is left — not a failure.
 */
export function dustLeft(error: unknown, exit: ExitSpec): PositionClosedError | undefined {
  if (!exit.shrunk || !(error instanceof ValidationError) || !/^ORDER\.(BELOW_MIN|AMOUNT_TOO_SMALL)/.test(error.code)) return undefined;
  return new PositionClosedError(
    exit.spec,
    exit.position.closedBy,
    `position closed: the ${exit.spec.amount!.toFixed()} left is below the market's minimum order`,
  );
}

/** Whether an order that ended executed: filled, or (an Upbit market order by cost) cancelled with a fill. */
export function orderExecuted(status: string, filled: string): boolean {
  return status === 'FILLED' || (status === 'CANCELED' && dec(filled).gt(0));
}

/** Whether an order's status is final (filled, cancelled, rejected). */
export function orderEnded(status: string): boolean {
  return isTerminal(status as OrderStatus);
}
