import { Injectable } from '@nestjs/common';
import { AuditTrail, UnitOfWork } from '@tradedesk/shared';
import { IsNull, MoreThan } from 'typeorm';
import { TemplateHookCallOrmEntity, TemplateHookOrmEntity } from './template-hook.orm-entity.js';

export type NewHookCall = Omit<TemplateHookCallOrmEntity, 'id'>;

/** Hooks and the record of every call made to them. */
@Injectable()
export class HookRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  /** A hook is a credential that can trade: its creation is in the audit log (never its secret). */
  async insert(hook: TemplateHookOrmEntity): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      await manager.insert(TemplateHookOrmEntity, hook);
      await this.audit.record(manager, {
        action: 'hook.created',
        subject: { type: 'hook', id: hook.id },
        details: { name: hook.name, templateIds: hook.templateIds, maxLagSeconds: hook.maxLagSeconds, ratePerMinute: hook.ratePerMinute },
      });
    });
  }

  find(id: string): Promise<TemplateHookOrmEntity | null> {
    return this.uow.autocommit((m) => m.findOneBy(TemplateHookOrmEntity, { id, deletedAt: IsNull() }));
  }

  list(): Promise<TemplateHookOrmEntity[]> {
    return this.uow.autocommit((m) => m.find(TemplateHookOrmEntity, { where: { deletedAt: IsNull() }, order: { createdAt: 'DESC' } }));
  }

  async softDelete(id: string, now = new Date()): Promise<boolean> {
    return this.uow.run(async ({ manager }) => {
      const result = await manager.update(TemplateHookOrmEntity, { id, deletedAt: IsNull() }, { deletedAt: now });
      if (!result.affected) return false;
      await this.audit.record(manager, { action: 'hook.deleted', subject: { type: 'hook', id } });
      return true;
    });
  }

  callsSince(hookId: string, since: Date): Promise<number> {
    return this.uow.autocommit((m) => m.countBy(TemplateHookCallOrmEntity, { hookId, receivedAt: MoreThan(since) }));
  }

  /**
   * Records a call. A call carrying `signalHash` claims that signal: the unique index lets exactly
   * one of many concurrent deliveries of the same signal in; the others get `false`.
   */
  async record(call: NewHookCall): Promise<{ id: number } | false> {
    try {
      const id = await this.uow.run(async ({ manager }) => {
        const result = await manager.insert(TemplateHookCallOrmEntity, call);
        return (result.identifiers[0] as { id: number }).id;
      });
      return { id };
    } catch (error) {
      if (call.signalHash && (await this.signalClaimed(call.hookId, call.signalHash))) return false;
      throw error;
    }
  }

  async settle(
    id: number,
    outcome: Pick<TemplateHookCallOrmEntity, 'outcome' | 'httpStatus' | 'code' | 'message' | 'executionId'>,
  ): Promise<void> {
    await this.uow.run(({ manager }) => manager.update(TemplateHookCallOrmEntity, { id }, outcome));
  }

  async calls(hookId: string, page: { limit: number; offset: number }): Promise<{ items: TemplateHookCallOrmEntity[]; total: number }> {
    const [items, total] = await this.uow.autocommit((m) =>
      m.findAndCount(TemplateHookCallOrmEntity, { where: { hookId }, order: { id: 'DESC' }, take: page.limit, skip: page.offset }),
    );
    return { items, total };
  }

  private async signalClaimed(hookId: string, signalHash: string): Promise<boolean> {
    return (await this.uow.autocommit((m) => m.countBy(TemplateHookCallOrmEntity, { hookId, signalHash }))) > 0;
  }
}
