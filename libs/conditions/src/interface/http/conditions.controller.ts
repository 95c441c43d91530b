import { DEFAULT_PAGE_LIMIT } from '@tradedesk/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AdjustConditionCommand } from '../../application/commands/adjust-condition.js';
import { ArmConditionCommand } from '../../application/commands/arm-condition.js';
import { CancelConditionCommand, PauseConditionCommand, ResumeConditionCommand } from '../../application/commands/hold-condition.js';
import { type ConditionPage, GetConditionQuery, ListConditionsQuery } from '../../application/queries/get-condition.query.js';
import type { ConditionView } from '../../application/condition-views.js';
import {
  AdjustConditionRequestDto,
  ConditionIdParam,
  CreateConditionRequestDto,
  ListConditionsQueryDto,
  ResumeConditionRequestDto,
} from './conditions.dto.js';

const conditionExample = {
  id: '6a1f0c2e-8d4b-4f3a-9b1e-2c7d5e8f9a01',
  kind: 'stop_loss',
  status: 'ARMED',
  version: 1,
  accountId: '3f1c2a9e-5b7d-4c1e-9a8f-2d6b7e0c1a23',
  exchange: 'upbit',
  symbol: 'BTC/KRW',
  source: 'last',
  watch: null,
  triggerPrice: '95000000',
  stopLoss: null,
  takeProfit: null,
  highWaterMark: null,
  currentTrigger: null,
  amount: 'all',
  execution: { type: 'market' },
  placement: 'emulated',
  onDowntime: 'fire',
  expiresAt: null,
  firedLeg: null,
  firings: 0,
  orderIds: [],
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  timeline: [
    {
      at: '2026-11-26T12:00:00.000Z',
      event: 'armed',
      status: 'ARMED',
      price: '100000000',
      trigger: '95000000',
      details: { source: 'last' },
    },
  ],
};

@ApiTags('conditions')
@ApiBearerAuth()
@Controller('conditions')
export class ConditionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** Every change answers with the condition as it is now (the same view as GET). */
  private view(id: string): Promise<ConditionView> {
    return this.queries.execute(new GetConditionQuery(id));
  }

  @Post()
  @ApiOperation({
    summary: 'Arm a condition',
    description:
      'stop_loss, trailing_stop, take_profit, bracket (one cancels the other) or conditional (a when tree → an order; ' +
      'with a time.every cron leaf it is a recurring rule that places one order per occurrence). ' +
      'A trigger the price has already crossed is refused unless allowImmediate is true; an amount above the position, ' +
      'a time in the past or a malformed when tree gets a 400 naming the field, and nothing is armed.',
  })
  @ApiResponse({ status: 201, description: 'Armed', schema: { example: conditionExample } })
  @ApiBadRequestResponse({ description: 'A rule was broken; `details.field` names it (e.g. `when.all[1].price.op`)' })
  @ApiNotFoundResponse({ description: 'Unknown account or market' })
  async create(@Body() body: CreateConditionRequestDto): Promise<ConditionView> {
    return this.view(await this.commands.execute<ArmConditionCommand, string>(new ArmConditionCommand(body)));
  }

  @Get()
  @ApiOperation({ summary: 'List conditions', description: 'Newest first, filtered by account, status or symbol.' })
  @ApiOkResponse({ schema: { example: { items: [conditionExample], total: 1, limit: 50, offset: 0 } } })
  list(@Query() q: ListConditionsQueryDto): Promise<ConditionPage> {
    return this.queries.execute(new ListConditionsQuery({ ...q, limit: q.limit ?? DEFAULT_PAGE_LIMIT, offset: q.offset ?? 0 }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A condition with its timeline', description: 'Every transition with the prices and times that caused it.' })
  @ApiOkResponse({ schema: { example: conditionExample } })
  @ApiNotFoundResponse({ description: 'CONDITION.NOT_FOUND' })
  get(@Param() { id }: ConditionIdParam): Promise<ConditionView> {
    return this.view(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Adjust an armed condition',
    description: 'Move a trigger (e.g. to break-even), change the amount, the trail or the expiry; recorded on the timeline.',
  })
  @ApiOkResponse({ schema: { example: { ...conditionExample, triggerPrice: '100500000', version: 2 } } })
  @ApiConflictResponse({ description: 'The condition is no longer ARMED or PAUSED' })
  async adjust(@Param() { id }: ConditionIdParam, @Body() body: AdjustConditionRequestDto): Promise<ConditionView> {
    await this.commands.execute(new AdjustConditionCommand(id, body));
    return this.view(id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a condition',
    description:
      'ARMED or PAUSED → CANCELLED. A recurring rule (time.every) is also cancelled while its order works (FIRED): ' +
      'that order is left to finish and the rule does not re-arm. A native bracket (placement native) first has its OCO list ' +
      'cancelled at the exchange; if a leg already executed, 409 and the condition settles DONE.',
  })
  @ApiOkResponse({ schema: { example: { ...conditionExample, status: 'CANCELLED' } } })
  @ApiConflictResponse({ description: 'Already firing or over' })
  async cancel(@Param() { id }: ConditionIdParam): Promise<ConditionView> {
    await this.commands.execute(new CancelConditionCommand(id));
    return this.view(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause an armed condition', description: 'A user hold: PAUSED conditions are not evaluated.' })
  @ApiOkResponse({ schema: { example: { ...conditionExample, status: 'PAUSED' } } })
  @ApiConflictResponse({ description: 'Not ARMED' })
  async pause(@Param() { id }: ConditionIdParam): Promise<ConditionView> {
    await this.commands.execute(new PauseConditionCommand(id));
    return this.view(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume a paused condition',
    description:
      'PAUSED → ARMED. A trigger the price crossed meanwhile is refused as at arming (400 CONDITION.WOULD_FIRE_IMMEDIATELY) unless allowImmediate is true; then it fires on the next tick.',
  })
  @ApiOkResponse({ schema: { example: conditionExample } })
  @ApiConflictResponse({ description: 'Not PAUSED' })
  @ApiBadRequestResponse({ description: 'CONDITION.WOULD_FIRE_IMMEDIATELY' })
  async resume(@Param() { id }: ConditionIdParam, @Body() body: ResumeConditionRequestDto = {}): Promise<ConditionView> {
    await this.commands.execute(new ResumeConditionCommand(id, body?.allowImmediate ?? false));
    return this.view(id);
  }
}
