import { ConflictError } from '@tradedesk/shared';
import type { Condition, ConditionChange } from '../../domain/condition.js';
import type { ConditionRepository } from '../ports/condition-repository.js';

/** Writes a user's change; when another writer (the engine firing it, another request) got there first, a 409 that says where it went. */
export async function applyOrConflict(conditions: ConditionRepository, condition: Condition, change: ConditionChange): Promise<void> {
  if (await conditions.apply(condition, change)) return;
  const now = await conditions.find(condition.state.id);
  throw new ConflictError(
    'CONDITION.NOT_ADJUSTABLE',
    `Condition ${condition.state.id} is ${now?.status ?? 'gone'} and can no longer be changed this way`,
    { conditionId: condition.state.id },
  );
}
