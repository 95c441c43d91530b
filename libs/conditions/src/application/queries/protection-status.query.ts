import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { GetProtectionStatusQuery, type ProtectionStatuses } from '@tradedesk/orders';
import { UnitOfWork } from '@tradedesk/shared';
import { In } from 'typeorm';
import { marketKey } from '../../domain/condition.types.js';
import { ConditionOrmEntity } from '../../infrastructure/persistence/condition.orm-entity.js';

/**
 * The orders context's question "what protects these positions?": a resting exchange order list (a
 * native bracket) is `native`; an armed (or firing) server-side stop-loss, trailing stop or bracket
 * is `emulated`; otherwise `none`. A take-profit alone protects nothing.
 */
@QueryHandler(GetProtectionStatusQuery)
export class GetProtectionStatusHandler implements IQueryHandler<GetProtectionStatusQuery, ProtectionStatuses> {
  constructor(private readonly uow: UnitOfWork) {}

  async execute({ positions }: GetProtectionStatusQuery): Promise<ProtectionStatuses> {
    const rows = await this.uow.autocommit((manager) =>
      manager.find(ConditionOrmEntity, {
        where: { status: In(['ARMED', 'TRIGGERED', 'FIRING']), kind: In(['stop_loss', 'trailing_stop', 'bracket']) },
        select: { accountId: true, symbol: true, placement: true },
      }),
    );
    const nativeKeys = new Set(rows.filter((r) => r.placement === 'native').map((r) => marketKey(r.accountId, r.symbol!)));
    const protectedKeys = new Set(rows.map((r) => marketKey(r.accountId, r.symbol!)));
    return new Map(
      positions.map((p) => {
        const key = marketKey(p.accountId, p.symbol);
        return [key, nativeKeys.has(key) ? 'native' : protectedKeys.has(key) ? 'emulated' : 'none'];
      }),
    );
  }
}
