import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, UnitOfWork } from '@tradedesk/shared';
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import type { TemplateDefinition } from '../../domain/template-definition.js';
import { OrderTemplateOrmEntity, OrderTemplateVersionOrmEntity } from './order-template.orm-entity.js';

/** A template at one of its versions. */
export interface StoredTemplate {
  id: string;
  version: number;
  /** The version this answer shows (the current one unless another was asked for). */
  shownVersion: number;
  definition: TemplateDefinition;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Templates and their versions: a version, once written, never changes; editing writes the next one. */
@Injectable()
export class TemplateRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async create(definition: TemplateDefinition, now = new Date()): Promise<StoredTemplate> {
    const id = randomUUID();
    await this.uow.run(async ({ manager }) => {
      await manager.insert(OrderTemplateOrmEntity, {
        id,
        version: 1,
        name: definition.name,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      await manager.insert(OrderTemplateVersionOrmEntity, { templateId: id, version: 1, definition, createdAt: now });
    });
    return { id, version: 1, shownVersion: 1, definition, createdAt: now, updatedAt: now, deletedAt: null };
  }

  /** Several new templates in one transaction: all are written or none. */
  async createMany(definitions: TemplateDefinition[], now = new Date()): Promise<StoredTemplate[]> {
    const created = definitions.map((definition) => ({ id: randomUUID(), definition }));
    await this.uow.run(async ({ manager }) => {
      for (const { id, definition } of created) {
        await manager.insert(OrderTemplateOrmEntity, {
          id,
          version: 1,
          name: definition.name,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        await manager.insert(OrderTemplateVersionOrmEntity, { templateId: id, version: 1, definition, createdAt: now });
      }
    });
    return created.map(({ id, definition }) => ({
      id,
      version: 1,
      shownVersion: 1,
      definition,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    }));
  }

  /** Writes `change(current)` as the next version, under the template's row lock; a deleted template is a 409. */
  async addVersion(id: string, change: (current: TemplateDefinition) => TemplateDefinition, now = new Date()): Promise<StoredTemplate> {
    return this.uow.run(async ({ manager }) => {
      const row = await lock(manager, id);
      if (!row) throw notFound(id);
      if (row.deletedAt) throw deleted(id);
      const current = await manager.findOneByOrFail(OrderTemplateVersionOrmEntity, { templateId: id, version: row.version });
      const definition = change(current.definition);
      const version = row.version + 1;
      await manager.insert(OrderTemplateVersionOrmEntity, { templateId: id, version, definition, createdAt: now });
      await manager.update(OrderTemplateOrmEntity, { id }, { version, name: definition.name, updatedAt: now });
      return { id, version, shownVersion: version, definition, createdAt: row.createdAt, updatedAt: now, deletedAt: null };
    });
  }

  /** Marks it deleted: its versions and executions stay readable; it can no longer be executed or edited. */
  async softDelete(id: string, now = new Date()): Promise<void> {
    await this.uow.run(async ({ manager }) => {
      const row = await lock(manager, id);
      if (!row) throw notFound(id);
      if (row.deletedAt) return;
      await manager.update(OrderTemplateOrmEntity, { id }, { deletedAt: now, updatedAt: now });
    });
  }

  /** The template at `version` (default: its current one); a 404 when either is unknown. */
  async get(id: string, version?: number): Promise<StoredTemplate> {
    return this.uow.autocommit(async (manager) => {
      const row = await manager.findOneBy(OrderTemplateOrmEntity, { id });
      if (!row) throw notFound(id);
      const shown = version ?? row.version;
      const at = await manager.findOneBy(OrderTemplateVersionOrmEntity, { templateId: id, version: shown });
      if (!at)
        throw new NotFoundError(
          'TEMPLATE.VERSION_NOT_FOUND',
          `Template ${id} has no version ${shown} (its versions are 1 to ${row.version})`,
          {
            field: 'version',
          },
        );
      return storedOf(row, at);
    });
  }

  /** A template that can be executed now: it exists and is not deleted. */
  async executable(id: string, field = 'template'): Promise<StoredTemplate> {
    const template = await this.get(id).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new NotFoundError('TEMPLATE.NOT_FOUND', `${field}: no template with id ${id}`, { field });
      throw error;
    });
    if (template.deletedAt) throw deleted(id, field);
    return template;
  }

  async list(query: { limit: number; offset: number; includeDeleted: boolean }): Promise<{ items: StoredTemplate[]; total: number }> {
    return this.uow.autocommit(async (manager) => {
      const [rows, total] = await manager.findAndCount(OrderTemplateOrmEntity, {
        where: query.includeDeleted ? {} : { deletedAt: IsNull() },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: query.limit,
        skip: query.offset,
      });
      const items: StoredTemplate[] = [];
      for (const row of rows)
        items.push(
          storedOf(row, await manager.findOneByOrFail(OrderTemplateVersionOrmEntity, { templateId: row.id, version: row.version })),
        );
      return { items, total };
    });
  }

  /** Every version, oldest first. */
  async versions(id: string): Promise<StoredTemplate[]> {
    return this.uow.autocommit(async (manager) => {
      const row = await manager.findOneBy(OrderTemplateOrmEntity, { id });
      if (!row) throw notFound(id);
      const versions = await manager.find(OrderTemplateVersionOrmEntity, { where: { templateId: id }, order: { version: 'ASC' } });
      return versions.map((v) => storedOf(row, v));
    });
  }
}

function storedOf(row: OrderTemplateOrmEntity, at: OrderTemplateVersionOrmEntity): StoredTemplate {
  return {
    id: row.id,
    version: row.version,
    shownVersion: at.version,
    definition: at.definition,
    createdAt: row.createdAt,
    updatedAt: at.version === row.version ? row.updatedAt : at.createdAt,
    deletedAt: row.deletedAt,
  };
}

function lock(manager: EntityManager, id: string): Promise<OrderTemplateOrmEntity | null> {
  const query = manager.createQueryBuilder(OrderTemplateOrmEntity, 't').where('t.id = :id', { id });
  if (manager.dataSource.options.type === 'postgres') query.setLock('pessimistic_write');
  return query.getOne();
}

function notFound(id: string): NotFoundError {
  return new NotFoundError('TEMPLATE.NOT_FOUND', `No template with id ${id}`, { templateId: id });
}

function deleted(id: string, field?: string): ConflictError {
  return new ConflictError(
    'TEMPLATE.DELETED',
    `${field ? `${field}: ` : ''}template ${id} was deleted: its history is readable, it no longer runs`,
    {
      templateId: id,
      ...(field ? { field } : {}),
    },
  );
}
