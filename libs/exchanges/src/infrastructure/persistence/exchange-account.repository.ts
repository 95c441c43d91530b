import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AccountMode } from '../../domain/exchange-gateway.js';
import { ExchangeAccountOrmEntity } from './exchange-account.orm-entity.js';

/** Rows of `exchange_accounts`; sealing and opening secrets is AccountSecrets' job, not this one's. */
@Injectable()
export class ExchangeAccountRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ExchangeAccountOrmEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<ExchangeAccountOrmEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  list(manager?: EntityManager): Promise<ExchangeAccountOrmEntity[]> {
    return this.repo(manager).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findByModes(modes: AccountMode[], manager?: EntityManager): Promise<ExchangeAccountOrmEntity[]> {
    return this.repo(manager).find({ where: { mode: In(modes) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async existsInModes(modes: AccountMode[], manager?: EntityManager): Promise<boolean> {
    return (await this.repo(manager).countBy({ mode: In(modes) })) > 0;
  }

  async save(row: ExchangeAccountOrmEntity, manager?: EntityManager): Promise<ExchangeAccountOrmEntity> {
    return this.repo(manager).save(row);
  }

  async delete(id: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
