import type { QueryBus } from '@nestjs/cqrs';
import { GetPositionsQuery, isTerminal, type OrderSpec, type OrderStatus, type PositionsReport } from '@tradedesk/orders';
import { type Decimal, dec } from '@tradedesk/shared';
import { type ConditionKind, marketKey } from '../domain/condition.types.js';
import { exitAmount, exitLimitPrice, type ExitTerms, sizedFromPosition } from '../domain/exit-order.js';
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

/** The base quantity of the position on a market (zero without one). */
export async function positionQuantity(queries: QueryBus, accountId: string, symbol: string): Promise<Decimal> {
  const report: PositionsReport = await queries.execute(new GetPositionsQuery({ accountId, symbol }));
  return dec(report.positions.find((p) => p.symbol === symbol)?.quantity ?? 0);
}

/**
 * The sell a fired protective condition places: its size (a share of the position for `%` and
 * `all`, read once per market when `positions` is shared by a batch) and, for limit execution,
 * its price below the trigger.
 */
export async function exitOrderSpec(
  queries: QueryBus,
  market: { accountId: string; symbol: string },
  terms: ExitTerms,
  trigger: Decimal,
  positions = new Map<string, Promise<Decimal>>(),
): Promise<OrderSpec> {
  let quantity: Decimal | undefined;
  if (sizedFromPosition(terms)) {
    const key = marketKey(market.accountId, market.symbol);
    const read = positions.get(key) ?? positionQuantity(queries, market.accountId, market.symbol);
    positions.set(key, read);
    quantity = await read;
  }
  const price = terms.executionType === 'limit' ? exitLimitPrice(terms, trigger) : undefined;
  return {
    accountId: market.accountId,
    symbol: market.symbol,
    side: 'sell',
    type: terms.executionType,
    amount: exitAmount(terms, quantity),
    ...(price ? { price } : {}),
  };
}

/** Whether an order that ended executed: filled, or (an Upbit market order by cost) cancelled with a fill. */
export function orderExecuted(status: string, filled: string): boolean {
  return status === 'FILLED' || (status === 'CANCELED' && dec(filled).gt(0));
}

/** Whether an order's status is final (filled, cancelled, rejected). */
export function orderEnded(status: string): boolean {
  return isTerminal(status as OrderStatus);
}
