import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { TemplateDefinition } from '../../domain/template-definition.js';
import { parseOverrides } from '../../domain/execution-overrides.js';
import { ExecutionRepository } from '../../infrastructure/persistence/execution.repository.js';
import { TemplateRepository } from '../../infrastructure/persistence/template.repository.js';
import { ExecutionPlanner } from '../planning/execution-planner.js';
import { executionSummary, executionView, previewView, templateView, type TemplateView } from '../template-views.js';

export class GetTemplateQuery {
  constructor(
    readonly templateId: string,
    readonly version?: number,
  ) {}
}

export class ListTemplatesQuery {
  constructor(readonly page: { limit: number; offset: number; includeDeleted: boolean }) {}
}

/** Every version of a template, oldest first. */
export class ListTemplateVersionsQuery {
  constructor(readonly templateId: string) {}
}

/** The templates (not deleted) as template requests, ready for POST /api/templates/import. */
export class ExportTemplatesQuery {}

/** The orders a template would place now, with the overrides: nothing is placed. */
export class PreviewTemplateQuery {
  constructor(
    readonly templateId: string,
    readonly overrides: unknown,
  ) {}
}

export class GetExecutionQuery {
  constructor(readonly executionId: string) {}
}

export class ListExecutionsQuery {
  constructor(readonly filter: { templateId?: string; conditionId?: string; limit: number; offset: number }) {}
}

export interface TemplatePage {
  items: TemplateView[];
  total: number;
  limit: number;
  offset: number;
}

@QueryHandler(GetTemplateQuery)
export class GetTemplateHandler implements IQueryHandler<GetTemplateQuery, TemplateView> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ templateId, version }: GetTemplateQuery): Promise<TemplateView> {
    return templateView(await this.templates.get(templateId, version));
  }
}

@QueryHandler(ListTemplatesQuery)
export class ListTemplatesHandler implements IQueryHandler<ListTemplatesQuery, TemplatePage> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ page }: ListTemplatesQuery): Promise<TemplatePage> {
    const { items, total } = await this.templates.list(page);
    return { items: items.map(templateView), total, limit: page.limit, offset: page.offset };
  }
}

@QueryHandler(ListTemplateVersionsQuery)
export class ListTemplateVersionsHandler implements IQueryHandler<ListTemplateVersionsQuery, TemplateView[]> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute({ templateId }: ListTemplateVersionsQuery): Promise<TemplateView[]> {
    return (await this.templates.versions(templateId)).map(templateView);
  }
}

@QueryHandler(ExportTemplatesQuery)
export class ExportTemplatesHandler implements IQueryHandler<
  ExportTemplatesQuery,
  { format: string; exportedAt: string; templates: TemplateDefinition[] }
> {
  constructor(private readonly templates: TemplateRepository) {}

  async execute(): Promise<{ format: string; exportedAt: string; templates: TemplateDefinition[] }> {
    const templates: TemplateDefinition[] = [];
    for (let offset = 0; ; offset += 500) {
      const { items } = await this.templates.list({ limit: 500, offset, includeDeleted: false });
      templates.push(...items.map((t) => t.definition));
      if (items.length < 500) break;
    }
    return { format: 'tradedesk.templates/1', exportedAt: new Date().toISOString(), templates };
  }
}

@QueryHandler(PreviewTemplateQuery)
export class PreviewTemplateHandler implements IQueryHandler<PreviewTemplateQuery, ReturnType<typeof previewView>> {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly planner: ExecutionPlanner,
  ) {}

  async execute({ templateId, overrides }: PreviewTemplateQuery): Promise<ReturnType<typeof previewView>> {
    const parsed = parseOverrides(overrides);
    const template = await this.templates.executable(templateId);
    return previewView(template, await this.planner.plan(template.definition, parsed, { freshMarket: true }));
  }
}

@QueryHandler(GetExecutionQuery)
export class GetExecutionHandler implements IQueryHandler<GetExecutionQuery, ReturnType<typeof executionView>> {
  constructor(private readonly executions: ExecutionRepository) {}

  async execute({ executionId }: GetExecutionQuery): Promise<ReturnType<typeof executionView>> {
    return executionView(await this.executions.get(executionId));
  }
}

@QueryHandler(ListExecutionsQuery)
export class ListExecutionsHandler implements IQueryHandler<ListExecutionsQuery, unknown> {
  constructor(private readonly executions: ExecutionRepository) {}

  async execute({ filter }: ListExecutionsQuery) {
    const { items, total } = await this.executions.list({
      limit: filter.limit,
      offset: filter.offset,
      ...(filter.templateId ? { templateId: filter.templateId } : {}),
      ...(filter.conditionId ? { sourceId: filter.conditionId } : {}),
    });
    return { items: items.map(executionSummary), total, limit: filter.limit, offset: filter.offset };
  }
}
