import { CommandHandler, type ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { ExchangeGateways } from '@tradedesk/exchanges';
import { type Decimal, dec, Outbox } from '@tradedesk/shared';
import { Condition, type ConditionState } from '../../domain/condition.js';
import { CONDITION_KINDS, type DowntimePolicy } from '../../domain/condition.types.js';
import { invalid } from '../arming-checks.js';
import { conditionalTerms } from '../arming/conditional-terms.js';
import { exitTerms } from '../arming/exit-terms.js';
import { NATIVE_BRACKET_TOPIC } from '../native-bracket-lifecycle.js';
import { ConditionRepository } from '../ports/condition-repository.js';
import { COMMON_FIELDS, type CreateConditionInput, FIELDS_OF } from './condition-requests.js';

/**
 * Arms a condition (api.md's condition request); answers its id. `options.conditionId` chooses the
 * id, which makes arming idempotent: a condition with that id already armed is answered as it is
 * (a caller that arms from an at-least-once message — a template's exits — arms each exit once).
 */
export class ArmConditionCommand {
  constructor(
    readonly input: CreateConditionInput,
    readonly now = new Date(),
    readonly options: { conditionId?: string } = {},
  ) {}
}

/**
 * Everything a condition will need to fire is checked before it is stored — its fields for its
 * kind, its markets, its size against the position, triggers against the price now — so nothing
 * is armed that would fail later. A native bracket's order list is placed by an intent committed
 * with the row: a crash cannot lose it.
 */
@CommandHandler(ArmConditionCommand)
export class ArmConditionHandler implements ICommandHandler<ArmConditionCommand, string> {
  constructor(
    private readonly conditions: ConditionRepository,
    private readonly gateways: ExchangeGateways,
    private readonly queries: QueryBus,
    private readonly outbox: Outbox,
  ) {}

  async execute({ input, now, options }: ArmConditionCommand): Promise<string> {
    if (options.conditionId && (await this.conditions.find(options.conditionId))) return options.conditionId;
    if (!CONDITION_KINDS.includes(input.kind)) invalid('kind', `must be one of ${CONDITION_KINDS.join(', ')}`);
    const allowed = [...COMMON_FIELDS, ...FIELDS_OF[input.kind]];
    for (const [field, value] of Object.entries(input))
      if (value !== undefined && !allowed.includes(field)) invalid(field, `does not apply to a ${input.kind}`);
    const account = await this.gateways.describeAccount(input.accountId);
    const onDowntime = (input.onDowntime ?? 'fire') as DowntimePolicy;
    if (!['fire', 'skip', 'notify'].includes(onDowntime)) invalid('onDowntime', 'must be one of fire, skip, notify');
    const row = Condition.armed(input.kind, account, onDowntime, expiry(input.expiresAt, now), now);
    if (options.conditionId) row.id = options.conditionId;
    const armed: Record<string, unknown> = { at: now.toISOString() };
    let observed: Decimal | undefined;
    if (input.kind === 'conditional') await conditionalTerms(input, row, { gateways: this.gateways, queries: this.queries, account }, now);
    else observed = await exitTerms(input, row, armed, { gateways: this.gateways, queries: this.queries, account });
    if (row.placement === 'native') await this.checkOrderList(row);
    const intent = await this.insert(row, observed, armed, options.conditionId !== undefined);
    if (intent) await this.outbox.dispatchNow(intent);
    return row.id;
  }

  /** Stores the row with its first timeline line; an id given by the caller that another request armed meanwhile is that condition. */
  private async insert(
    row: ConditionState,
    observed: Decimal | undefined,
    armed: Record<string, unknown>,
    idChosen: boolean,
  ): Promise<string | undefined> {
    try {
      return await this.conditions.insert(
        row,
        {
          event: 'armed',
          status: 'ARMED',
          price: observed ?? null,
          trigger: row.stopPrice ?? row.takeProfitPrice ?? null,
          details: { source: row.source, ...armed, ...(row.placement === 'native' ? { placement: 'native', amount: row.amount } : {}) },
        },
        async (tx) =>
          row.placement === 'native'
            ? (await this.outbox.enqueue(tx, NATIVE_BRACKET_TOPIC, { conditionId: row.id }, { priority: 0 })).id
            : undefined,
      );
    } catch (error) {
      if (idChosen && (await this.conditions.find(row.id))) return undefined;
      throw error;
    }
  }

  /** The exchange's rules for each leg of a native bracket, checked now: a list that cannot be placed is a 400, not a later FAILED. */
  private async checkOrderList(row: ConditionState): Promise<void> {
    const checked = await this.gateways.validateOcoSell(row.accountId, {
      symbol: row.symbol!,
      amount: dec(row.amount!),
      listClientOrderId: 'td-check',
      takeProfit: { price: row.takeProfitPrice!, clientOrderId: 'td-check-tp' },
      stopLoss: {
        stopPrice: row.stopPrice!,
        ...(row.executionType === 'limit' ? { price: row.stopPrice!.times(dec(100).minus(row.limitOffset ?? 0)).div(100) } : {}),
        clientOrderId: 'td-check-sl',
      },
    });
    row.amount = checked.amount.toFixed();
  }
}

function expiry(expiresAt: string | undefined, now: Date): Date | null {
  if (expiresAt === undefined) return null;
  const at = new Date(expiresAt);
  if (Number.isNaN(at.getTime())) invalid('expiresAt', 'must be an ISO-8601 instant');
  if (at.getTime() <= now.getTime()) invalid('expiresAt', 'is before now', 'CONDITION.EXPIRY_IN_PAST');
  return at;
}
