import { TimestampColumn } from '@tradedesk/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TemplateDefinition } from '../../domain/template-definition.js';

/** An order template: its current version and name; every version's terms are kept in `order_template_versions`. */
@Entity('order_templates')
@Index('ix_order_templates_deleted', ['deletedAt', 'createdAt'])
export class OrderTemplateOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The version an execution uses now; editing adds the next one. */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;

  /** Deleted templates are kept (their versions and executions stay readable) and can no longer be executed. */
  @TimestampColumn({ nullable: true })
  deletedAt: Date | null;
}

/** One version of a template's terms, never changed once written: executions name the version they used. */
@Entity('order_template_versions')
export class OrderTemplateVersionOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  templateId: string;

  @PrimaryColumn({ type: 'int' })
  version: number;

  /** The normalized template request (api.md "Template request"). */
  @Column({ type: 'simple-json' })
  definition: TemplateDefinition;

  @TimestampColumn()
  createdAt: Date;
}
