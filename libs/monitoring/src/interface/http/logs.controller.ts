import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { LoggingConfig, ProcessLog, ValidationError } from '@tradedesk/shared';
import { SetLogLevelCommand } from '../../application/commands/set-log-level.command.js';
import { SearchLogsQuery } from '../../application/queries/search-logs.query.js';
import { SummarizeLogsQuery } from '../../application/queries/summarize-logs.query.js';
import { LogLevelResponse, LogPageResponse, LogSummaryRequest, SearchLogsRequest, SetLogLevelRequest } from './dto/monitoring.dto.js';

const DAY_MS = 24 * 3600_000;
const DEFAULT_LOG_PAGE = 100;

function range(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const out = { ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) };
  if (out.from && out.to && out.from >= out.to)
    throw new ValidationError('LOGS.INVALID_RANGE', '`from` must be before `to`', { field: 'from' });
  return out;
}

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
@Controller('logs')
export class LogsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly logging: LoggingConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Log lines, newest first, from the current file and the rotated .gz files of LOG_DIR',
    description:
      'Filters combine: `level` (that level and more severe), `context`, `requestId`, `text` (anywhere in the line), `from`/`to`. ' +
      'Lines that are not JSON log entries are kept as `unparsed` (shown only without `level`). Files are read as streams; ' +
      'follow `nextCursor` for older lines.',
  })
  @ApiOkResponse({ type: LogPageResponse })
  @ApiBadRequestResponse({ description: 'A filter is invalid (names the field), or the cursor is not one this API gave out' })
  search(@Query() q: SearchLogsRequest) {
    const filter = {
      ...(q.level ? { level: q.level } : {}),
      ...(q.context ? { context: q.context } : {}),
      ...(q.requestId ? { requestId: q.requestId } : {}),
      ...(q.text ? { text: q.text } : {}),
      ...range(q.from, q.to),
    };
    return this.queries.execute(new SearchLogsQuery(filter, q.limit ?? DEFAULT_LOG_PAGE, q.cursor));
  }

  @Get('summary')
  @ApiOperation({
    summary: 'Counts by level and context per hour, the most frequent messages and the slowest requests (default: the last 24 hours)',
    description: `Slow requests are those logged by the HTTP layer above LOG_SLOW_REQUEST_MS (context HttpRequests, with durationMs).`,
  })
  @ApiOkResponse({
    description: '`{ from, to, lines, unparsed, byHour: [{ hour, level, context, count }], topMessages, slowestRequests }`',
  })
  summary(@Query() q: LogSummaryRequest) {
    const { from, to } = range(q.from, q.to);
    const end = to ?? new Date();
    return this.queries.execute(new SummarizeLogsQuery(from ?? new Date(end.getTime() - DAY_MS), end));
  }

  @Get('level')
  @ApiOperation({ summary: 'The log level now and the one of the next start (LOG_LEVEL)' })
  @ApiOkResponse({ type: LogLevelResponse })
  level() {
    const level = ProcessLog.level() ?? this.logging.level;
    return { level, previous: level, atStart: this.logging.level };
  }

  @Put('level')
  @ApiOperation({
    summary: 'Change the log level now, until the next start',
    description: 'Recorded in the audit log (`log_level.changed`). LOG_LEVEL still decides the level at the next start.',
  })
  @ApiOkResponse({ type: LogLevelResponse })
  @ApiBadRequestResponse({ description: '`level` is not one of error, warn, info, debug, verbose' })
  setLevel(@Body() body: SetLogLevelRequest) {
    return this.commands.execute(new SetLogLevelCommand(body.level));
  }
}
