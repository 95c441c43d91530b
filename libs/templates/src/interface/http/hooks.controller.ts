import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public, RequestContext, ValidationError } from '@tradedesk/shared';
import type { ExecuteTemplateResult } from '../../application/commands/execute-template.js';
import {
  CreateHookCommand,
  DeleteHookCommand,
  ListHookCallsQuery,
  ListHooksQuery,
  ReceiveSignalCommand,
} from '../../application/hooks/hook-commands.js';

const hookExample = {
  id: '0e9d8c7b-6a59-4483-9271-605f4e3d2c1b',
  name: 'TradingView BTC',
  url: '/api/hooks/0e9d8c7b-6a59-4483-9271-605f4e3d2c1b',
  templateIds: ['9b2e4f1a-7c3d-4e5f-8a9b-0c1d2e3f4a5b'],
  maxLagSeconds: 60,
  replayWindowSeconds: 60,
  ratePerMinute: 30,
  createdAt: '2026-12-07T12:00:00.000Z',
};

@ApiTags('hooks')
@Controller('hooks')
export class HooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Create a webhook for signals (TradingView-style alerts)',
    description:
      '`{ name, templateIds?, maxLagSeconds? (60), ratePerMinute? (30) }`. The answer carries `secret` once: it is stored only as a SHA-256 digest. ' +
      'Put it in the alert message with the template id: `{ "secret": "…", "template": "<id>", "symbol": "BTC/USDT", "timestamp": "{{timenow}}" }`.',
  })
  @ApiBody({
    schema: { example: { name: 'TradingView BTC', templateIds: [hookExample.templateIds[0]], maxLagSeconds: 60, ratePerMinute: 30 } },
  })
  @ApiResponse({ status: 201, schema: { example: { ...hookExample, secret: 'x8Jq2b4mV9tK0pZr7cW1nLs3dF6hG5yA' } } })
  create(@Body() body: unknown) {
    return this.commands.execute(new CreateHookCommand(body));
  }

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'List webhooks (never their secrets)' })
  @ApiOkResponse({ schema: { example: { items: [hookExample] } } })
  list() {
    return this.queries.execute(new ListHooksQuery());
  }

  @Delete(':hookId')
  @ApiBearerAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: its signals are refused from now on (404); its calls stay readable' })
  async remove(@Param('hookId') hookId: string): Promise<void> {
    await this.commands.execute(new DeleteHookCommand(hookId));
  }

  @Get(':hookId/calls')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Every call of a webhook with its outcome, newest first',
    description: '`outcome`: `executed`, `rejected` (with the HTTP status and code answered) or `executing`.',
  })
  calls(@Param('hookId') hookId: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const l = limit === undefined ? 50 : Number(limit);
    const o = offset === undefined ? 0 : Number(offset);
    if (!Number.isInteger(l) || l < 1 || l > 500)
      throw new ValidationError('REQUEST.VALIDATION_FAILED', 'limit: must be a whole number from 1 to 500', { field: 'limit' });
    if (!Number.isInteger(o) || o < 0)
      throw new ValidationError('REQUEST.VALIDATION_FAILED', 'offset: must be a whole number from 0', { field: 'offset' });
    return this.queries.execute(new ListHookCallsQuery(hookId, { limit: l, offset: o }));
  }

  @Post(':hookId')
  @Public()
  @ApiOperation({
    summary: "Send a signal (no bearer token: the hook's secret is in the body)",
    description:
      '`{ secret, template, symbol?, side?, size?, timestamp }` (timestamp ISO-8601 or Unix seconds/milliseconds). Executes the template once: ' +
      "a wrong secret is 401 (`HOOK.WRONG_SECRET`), a malformed signal 400 (`HOOK.MALFORMED_SIGNAL`), one older than the hook's `maxLagSeconds` 400 " +
      "(`HOOK.STALE_SIGNAL`), the same signal again 409 (`HOOK.REPLAYED_SIGNAL`), over the hook's rate 429 — nothing placed, every call recorded.",
  })
  @ApiBody({
    schema: {
      example: {
        secret: 'x8Jq2b4mV9tK0pZr7cW1nLs3dF6hG5yA',
        template: hookExample.templateIds[0],
        symbol: 'BTC/USDT',
        timestamp: '2026-12-07T12:00:00Z',
      },
    },
  })
  @ApiResponse({
    status: 201,
    schema: {
      example: { executionId: '5c4b3a29-1807-4f6e-9d5c-4b3a29180706', orderId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'pending' },
    },
  })
  async signal(@Param('hookId') hookId: string, @Body() body: unknown) {
    const result: ExecuteTemplateResult = await this.commands.execute(
      new ReceiveSignalCommand(hookId, body, { ip: RequestContext.clientIp() ?? null, requestId: RequestContext.correlationId() ?? null }),
    );
    return { executionId: result.executionId, orderId: result.orderId, status: result.status };
  }
}
