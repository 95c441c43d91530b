import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ValidationError } from '@tradedesk/shared';
import { parseDefinition, type TemplateDefinition } from '../../domain/template-definition.js';
import { invalid, objectWith } from '../../domain/template-errors.js';
import { type StoredTemplate, TemplateRepository } from '../../infrastructure/persistence/template.repository.js';

/** A new template from api.md's template request; answers it at version 1. */
export class CreateTemplateCommand {
  constructor(readonly request: unknown) {}
}

/**
 * Changes fields of a template (the others stay; `null` removes an optional one): the result is
 * checked as a whole and written as the next version. Executions keep naming the version they used.
 */
export class UpdateTemplateCommand {
  constructor(
    readonly templateId: string,
    readonly changes: unknown,
  ) {}
}

/** Deleted templates stay readable with their versions and executions; they no longer run. */
export class DeleteTemplateCommand {
  constructor(readonly templateId: string) {}
}

/** A copy of the template's current terms as a new template, named "<name> (copy)" unless a name is given. */
export class DuplicateTemplateCommand {
  constructor(
    readonly templateId: string,
    readonly name?: unknown,
  ) {}
}

/** Templates from an export (`{ templates: [ … ] }`): every one is checked before any is written; all or nothing. */
export class ImportTemplatesCommand {
  constructor(readonly document: unknown) {}
}

export const MAX_IMPORT = 200;
const OPTIONAL = ['notes', 'symbol', 'exits'];

@CommandHandler(CreateTemplateCommand)
export class CreateTemplateHandler implements ICommandHandler<CreateTemplateCommand, StoredTemplate> {
  constructor(private readonly templates: TemplateRepository) {}

  execute({ request }: CreateTemplateCommand): Promise<StoredTemplate> {
    return this.templates.create(parseDefinition(request));
  }
}

@CommandHandler(UpdateTemplateCommand)
export class UpdateTemplateHandler implements ICommandHandler<UpdateTemplateCommand, StoredTemplate> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ templateId, changes }: UpdateTemplateCommand): Promise<StoredTemplate> {
    const patch = objectWith(changes, ['name', 'notes', 'accountId', 'exchange', 'symbol', 'side', 'entry', 'size', 'exits'], '');
    if (Object.keys(patch).length === 0) invalid('body', 'nothing to change');
    for (const [field, value] of Object.entries(patch))
      if (value === null && !OPTIONAL.includes(field)) invalid(field, `cannot be removed (only ${OPTIONAL.join(', ')} can be set to null)`);
    return this.templates.addVersion(templateId, (current) => parseDefinition(merged(current, patch)));
  }
}

/** The current terms with the patch's fields; naming an account replaces the exchange and the other way round. */
function merged(current: TemplateDefinition, patch: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  if (patch.accountId !== undefined) delete next.exchange;
  if (patch.exchange !== undefined) delete next.accountId;
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next;
}

@CommandHandler(DeleteTemplateCommand)
export class DeleteTemplateHandler implements ICommandHandler<DeleteTemplateCommand, void> {
  constructor(private readonly templates: TemplateRepository) {}

  execute({ templateId }: DeleteTemplateCommand): Promise<void> {
    return this.templates.softDelete(templateId);
  }
}

@CommandHandler(DuplicateTemplateCommand)
export class DuplicateTemplateHandler implements ICommandHandler<DuplicateTemplateCommand, StoredTemplate> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ templateId, name }: DuplicateTemplateCommand): Promise<StoredTemplate> {
    const source = await this.templates.get(templateId);
    const copyName = name ?? `${source.definition.name} (copy)`.slice(0, 100);
    return this.templates.create(parseDefinition({ ...source.definition, name: copyName }));
  }
}

@CommandHandler(ImportTemplatesCommand)
export class ImportTemplatesHandler implements ICommandHandler<ImportTemplatesCommand, StoredTemplate[]> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ document }: ImportTemplatesCommand): Promise<StoredTemplate[]> {
    const o = objectWith(document, ['templates', 'exportedAt', 'format'], '');
    if (!Array.isArray(o.templates) || o.templates.length === 0 || o.templates.length > MAX_IMPORT)
      invalid('templates', `must be a list of 1 to ${MAX_IMPORT} template requests (as GET /api/templates/export gives them)`);
    const definitions = o.templates.map((t: unknown, i: number) => {
      try {
        return parseDefinition(t);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const inner = typeof error.details?.field === 'string' ? `.${error.details.field}` : '';
        const field = `templates[${i}]${inner}`;
        throw new ValidationError(error.code, `templates[${i}].${error.message}`, { field });
      }
    });
    return this.templates.createMany(definitions);
  }
}
