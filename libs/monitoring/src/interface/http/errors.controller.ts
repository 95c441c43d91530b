import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT } from '@tradedesk/shared';
import { ListErrorsQuery } from '../../application/queries/list-errors.query.js';
import { ErrorGroupPageResponse, ListErrorsRequest } from './dto/monitoring.dto.js';

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
@Controller('errors')
export class ErrorsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Errors and warnings of the last 24 hours grouped by fingerprint, most recently seen first',
    description:
      'A fingerprint is the level, the context and the message with ids, hex and numbers taken out. Each group has its ' +
      'counts over the last hour and 24 hours, first and last seen, and the latest occurrence with its request id.',
  })
  @ApiOkResponse({ type: ErrorGroupPageResponse })
  list(@Query() q: ListErrorsRequest) {
    return this.queries.execute(
      new ListErrorsQuery({ ...(q.level ? { level: q.level } : {}), limit: q.limit ?? DEFAULT_PAGE_LIMIT, offset: q.offset ?? 0 }),
    );
  }
}
