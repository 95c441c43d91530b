import type { QueryBus } from '@nestjs/cqrs';
import { GetPositionsQuery, type PositionsReport } from '@tradedesk/orders';
import { type Decimal, dec } from '@tradedesk/shared';
import type { ConditionKind } from '../domain/condition.types.js';
import type { ExitTerms } from '../domain/exit-order.js';
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
