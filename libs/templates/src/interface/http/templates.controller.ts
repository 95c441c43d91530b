import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@tradedesk/shared';
import {
  CreateTemplateCommand,
  DeleteTemplateCommand,
  DuplicateTemplateCommand,
  ImportTemplatesCommand,
  UpdateTemplateCommand,
} from '../../application/commands/manage-templates.js';
import { ExecuteTemplateCommand, type ExecuteTemplateResult } from '../../application/commands/execute-template.js';
import {
  ExportTemplatesQuery,
  GetExecutionQuery,
  GetTemplateQuery,
  ListExecutionsQuery,
  ListTemplatesQuery,
  ListTemplateVersionsQuery,
  PreviewTemplateQuery,
} from '../../application/queries/template.queries.js';
import { templateView, type TemplateView } from '../../application/template-views.js';
import type { StoredTemplate } from '../../infrastructure/persistence/template.repository.js';
import {
  binanceTemplate,
  executionExample,
  overridesExample,
  previewExample,
  templateExample,
  upbitTemplate,
} from './templates.examples.js';

interface ReplyLike {
  status(code: number): unknown;
}

const UUID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationError('REQUEST.VALIDATION_FAILED', 'id: must be a UUID', { field: 'id' }),
});

@ApiTags('templates')
@ApiBearerAuth()
@Controller('templates')
export class TemplatesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Save an order template',
    description:
      'Relative terms, so one template serves any price: an entry (`market`, or `limit` at `offsetPercent` from the best bid for a buy / ask for a sell), ' +
      'a size (`amount` in base, `cost` in quote, `balancePercent` of the free balance, or `riskPercent` of the quote balance sized from the stop distance), ' +
      'and exits as percentages from the actual average fill: `stopLoss`, `takeProfit` (one target or a `ladder` whose `sizePercent` sum to 100), ' +
      '`trailing`, `breakEvenAfterFirstTarget`. Give `accountId` or `exchange` (any account of it); omit `symbol` to name the market at execution. ' +
      'Every rule broken is a 400 naming the field (e.g. `exits.takeProfit.ladder`, code `TEMPLATE.LADDER_NOT_100`).',
  })
  @ApiBody({ schema: { type: 'object', examples: { binance: { value: binanceTemplate }, upbit: { value: upbitTemplate } } } as never })
  @ApiResponse({ status: 201, schema: { example: templateExample } })
  @ApiBadRequestResponse({ description: '`TEMPLATE.INVALID`, `TEMPLATE.LADDER_NOT_100`, `TEMPLATE.EXIT_WRONG_SIDE`… with `details.field`' })
  async create(@Body() body: unknown): Promise<TemplateView> {
    return templateView(await this.commands.execute<CreateTemplateCommand, StoredTemplate>(new CreateTemplateCommand(body)));
  }

  @Get()
  @ApiOperation({ summary: 'List templates (current versions), newest first' })
  @ApiQuery({ name: 'includeDeleted', required: false, type: Boolean })
  @ApiOkResponse({ schema: { example: { items: [templateExample], total: 1, limit: 50, offset: 0 } } })
  list(@Query('limit') limit?: string, @Query('offset') offset?: string, @Query('includeDeleted') includeDeleted?: string) {
    return this.queries.execute(new ListTemplatesQuery({ ...page(limit, offset), includeDeleted: includeDeleted === 'true' }));
  }

  @Get('export')
  @ApiOperation({ summary: 'Export every template as JSON', description: 'The document POST /api/templates/import takes back.' })
  @ApiOkResponse({
    schema: { example: { format: 'tradedesk.templates/1', exportedAt: '2026-12-07T12:00:00.000Z', templates: [binanceTemplate] } },
  })
  export() {
    return this.queries.execute(new ExportTemplatesQuery());
  }

  @Post('import')
  @ApiOperation({
    summary: 'Import templates',
    description:
      '`{ templates: [ … ] }` (an export). Every template is checked first: one bad field is a 400 naming it (`templates[2].size`) and none is written.',
  })
  @ApiBody({ schema: { example: { templates: [binanceTemplate, upbitTemplate] } } })
  @ApiResponse({ status: 201, schema: { example: { items: [templateExample] } } })
  async import(@Body() body: unknown): Promise<{ items: TemplateView[] }> {
    const created: StoredTemplate[] = await this.commands.execute(new ImportTemplatesCommand(body));
    return { items: created.map(templateView) };
  }

  @Get('executions')
  @ApiOperation({
    summary: 'List template executions, newest first',
    description: 'Filter by `templateId`, or by `conditionId` (runs of a conditional order whose action is this template).',
  })
  @ApiQuery({ name: 'templateId', required: false })
  @ApiQuery({ name: 'conditionId', required: false })
  listExecutions(
    @Query('templateId') templateId?: string,
    @Query('conditionId') conditionId?: string,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    return this.queries.execute(new ListExecutionsQuery({ ...page(limit, offset), templateId, conditionId }));
  }

  @Get('executions/:id')
  @ApiOperation({
    summary: 'A template execution',
    description:
      '`status`: `pending` (entry placed, not filled), `entry_filled` (exits being armed; final for a template without exits), `exits_armed`, `failed` (`failure` says why). ' +
      '`orderId` is the entry; `conditionIds` the exits armed from the fill; `exits` each exit with its amount and prices; `timeline` every step.',
  })
  @ApiOkResponse({ schema: { example: executionExample } })
  @ApiNotFoundResponse({ description: 'TEMPLATE.EXECUTION_NOT_FOUND' })
  execution(@Param('id', UUID_PIPE) id: string) {
    return this.queries.execute(new GetExecutionQuery(id));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A template (its current version, or `?version=n`)' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiOkResponse({ schema: { example: templateExample } })
  @ApiNotFoundResponse({ description: 'TEMPLATE.NOT_FOUND / TEMPLATE.VERSION_NOT_FOUND' })
  get(@Param('id', UUID_PIPE) id: string, @Query('version') version?: string) {
    return this.queries.execute(new GetTemplateQuery(id, version === undefined ? undefined : versionOf(version)));
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'Every version of a template, oldest first' })
  versions(@Param('id', UUID_PIPE) id: string) {
    return this.queries.execute(new ListTemplateVersionsQuery(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Edit a template (writes the next version)',
    description:
      'Fields given replace the current ones (`null` removes `notes`, `symbol` or `exits`); the result is checked as a whole. Executions keep the version they used.',
  })
  @ApiBody({ schema: { example: { exits: { stopLoss: { triggerPercent: '1.5' }, takeProfit: { triggerPercent: '4' } } } } })
  @ApiOkResponse({ schema: { example: { ...templateExample, version: 2, currentVersion: 2 } } })
  @ApiConflictResponse({ description: 'TEMPLATE.DELETED' })
  async update(@Param('id', UUID_PIPE) id: string, @Body() body: unknown): Promise<TemplateView> {
    return templateView(await this.commands.execute<UpdateTemplateCommand, StoredTemplate>(new UpdateTemplateCommand(id, body)));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a template',
    description: 'It no longer runs; its versions and executions stay readable (GET with the id still answers, with `deletedAt`).',
  })
  @ApiOkResponse({ schema: { example: { ...templateExample, deletedAt: '2026-12-07T13:00:00.000Z' } } })
  async remove(@Param('id', UUID_PIPE) id: string): Promise<TemplateView> {
    await this.commands.execute(new DeleteTemplateCommand(id));
    return this.queries.execute(new GetTemplateQuery(id));
  }

  @Post(':id/duplicate')
  @ApiOperation({
    summary: 'Duplicate a template',
    description: 'A new template with the current terms; `{ name }` optional (default "<name> (copy)").',
  })
  @ApiResponse({ status: 201, schema: { example: { ...templateExample, name: 'BTC scalp (copy)' } } })
  async duplicate(@Param('id', UUID_PIPE) id: string, @Body() body: unknown): Promise<TemplateView> {
    const name = body !== null && typeof body === 'object' ? (body as { name?: unknown }).name : undefined;
    return templateView(await this.commands.execute<DuplicateTemplateCommand, StoredTemplate>(new DuplicateTemplateCommand(id, name)));
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Preview a template: the concrete orders, nothing placed',
    description:
      "Overrides `{ accountId?, symbol?, size? }`. Answers the entry (amount, cost, limit price on the market's grid — Upbit's KRW price steps included), " +
      'the estimate (price, cost, fee, what is received and paid), each exit with its amount and prices from the expected fill, `riskReward`, and `warnings` ' +
      "(below the minimum order such as Upbit's 5,000 KRW, insufficient balance, an exit the price has already crossed, " +
      "an Upbit market under Upbit's caution flag: `TEMPLATE.MARKET_UNDER_CAUTION`, informative only). `executable` false: execute would refuse it.",
  })
  @ApiBody({ required: false, schema: { example: overridesExample } })
  @ApiOkResponse({ schema: { example: previewExample } })
  preview(@Param('id', UUID_PIPE) id: string, @Body() body: unknown) {
    return this.queries.execute(new PreviewTemplateQuery(id, body ?? {}));
  }

  @Post(':id/execute')
  @ApiOperation({
    summary: 'Execute a template',
    description:
      'Places the entry now (same overrides as preview). When it fills — fully, or partly and then cancelled or expired — the exits are armed on the amount ' +
      'actually received, at prices from the actual average fill; a ladder is one take-profit per rung sharing one stop that shrinks as rungs sell. ' +
      'A plan that breaks an exchange rule is a 400 naming the field and nothing is placed. With `Idempotency-Key`, the same key answers the same execution (200).',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 128 printable characters; makes retries of this request safe',
  })
  @ApiBody({ required: false, schema: { example: overridesExample } })
  @ApiResponse({
    status: 201,
    schema: { example: { executionId: executionExample.id, orderId: executionExample.orderId, status: 'pending' } },
  })
  @ApiConflictResponse({ description: 'TEMPLATE.DELETED, TEMPLATE.IDEMPOTENCY_KEY_REUSED' })
  async run(
    @Param('id', UUID_PIPE) id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: ReplyLike,
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(idempotencyKey))
      throw new ValidationError('REQUEST.VALIDATION_FAILED', 'Idempotency-Key: must be 1–128 printable characters', {
        field: 'Idempotency-Key',
      });
    const result: ExecuteTemplateResult = await this.commands.execute(
      new ExecuteTemplateCommand(id, body ?? {}, { ...(idempotencyKey ? { idempotencyKey: `api-${idempotencyKey}` } : {}) }),
    );
    reply.status(result.created ? 201 : 200);
    return { executionId: result.executionId, orderId: result.orderId, status: result.status };
  }
}

function page(limit?: string, offset?: string): { limit: number; offset: number } {
  const l = limit === undefined ? 50 : Number(limit);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(l) || l < 1 || l > 500)
    throw new ValidationError('REQUEST.VALIDATION_FAILED', 'limit: must be a whole number from 1 to 500', { field: 'limit' });
  if (!Number.isInteger(o) || o < 0)
    throw new ValidationError('REQUEST.VALIDATION_FAILED', 'offset: must be a whole number from 0', { field: 'offset' });
  return { limit: l, offset: o };
}

function versionOf(version: string): number {
  const v = Number(version);
  if (!Number.isInteger(v) || v < 1)
    throw new ValidationError('REQUEST.VALIDATION_FAILED', 'version: must be a whole number from 1', { field: 'version' });
  return v;
}
