import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, ValidationError } from '@tradedesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MarkNotificationsReadCommand } from '../../application/commands/mark-read.command.js';
import { UpdateNotificationRulesCommand } from '../../application/commands/update-rules.command.js';
import { NotificationStream } from '../../application/notification-stream.js';
import { GetNotificationRulesQuery } from '../../application/queries/get-rules.query.js';
import { ListDeliveriesQuery } from '../../application/queries/list-deliveries.query.js';
import { ListNotificationsQuery } from '../../application/queries/list-notifications.query.js';
import {
  DeliveryPageResponse,
  ListDeliveriesRequest,
  ListNotificationsRequest,
  NotificationPageResponse,
  NotificationResponse,
  RulesResponse,
  UpdateRulesRequest,
} from './dto/notifications.dto.js';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly stream: NotificationStream,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Web notifications, newest first, with the unread count' })
  @ApiOkResponse({ type: NotificationPageResponse })
  list(@Query() q: ListNotificationsRequest) {
    return this.queries.execute(
      new ListNotificationsQuery({
        ...(q.unread !== undefined ? { unread: q.unread } : {}),
        ...(q.type ? { types: [q.type] } : {}),
        limit: q.limit ?? DEFAULT_PAGE_LIMIT,
        offset: q.offset ?? 0,
      }),
    );
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Live notifications (Server-Sent Events)',
    description:
      'Each notification is an event `notification` with `id:` its id and `data:` the notification as JSON. ' +
      'Reconnecting with `Last-Event-ID` replays every notification after that id first, so nothing is missed; ' +
      'a comment line `: heartbeat` comes every NOTIFY_STREAM_HEARTBEAT_MS (15 s). Silent notifications are not pushed.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last notification received' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiBadRequestResponse({ description: 'Last-Event-ID is not a notification id' })
  async live(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Headers('last-event-id') lastEventIdHeader?: string) {
    let lastEventId: number | undefined;
    if (lastEventIdHeader !== undefined && lastEventIdHeader.trim() !== '') {
      if (!/^\d{1,15}$/.test(lastEventIdHeader.trim()))
        throw new ValidationError('NOTIFICATION.BAD_LAST_EVENT_ID', 'Last-Event-ID must be a notification id', { field: 'Last-Event-ID' });
      lastEventId = Number(lastEventIdHeader.trim());
    }
    // The response is written by hand from here on: it lasts as long as the client stays.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': String(request.id),
    });
    raw.write('retry: 2000\n\n');
    const unsubscribe = await this.stream.subscribe(
      lastEventId,
      (chunk) => raw.write(chunk),
      () => raw.end(),
    );
    request.raw.on('close', unsubscribe);
    if (request.raw.destroyed) unsubscribe();
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Marks every unread notification read' })
  @ApiOkResponse({ schema: { example: { marked: 3 } } })
  readAll() {
    return this.commands.execute(new MarkNotificationsReadCommand({ all: true }));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Marks one notification read' })
  @ApiOkResponse({ type: NotificationResponse })
  @ApiNotFoundResponse({ description: 'No such notification' })
  read(@Param('id', ParseIntPipe) id: number) {
    return this.commands.execute(new MarkNotificationsReadCommand({ id }));
  }

  @Get('rules')
  @ApiOperation({ summary: 'The rule of every notification type: channels, threshold, cooldown, recipients' })
  @ApiOkResponse({ type: RulesResponse })
  rules() {
    return this.queries.execute(new GetNotificationRulesQuery());
  }

  @Put('rules')
  @ApiOperation({
    summary: 'Changes the rules of the types named; the others keep theirs',
    description:
      'All or nothing: one bad rule (unknown type, a recipient that is not an email address, a webhook URL that is not http(s)) is a 400 naming its field and nothing is stored.',
  })
  @ApiBody({ type: UpdateRulesRequest })
  @ApiOkResponse({ type: RulesResponse })
  @ApiBadRequestResponse({ description: '`details.field` names the offending field, e.g. `rules[0].recipients[1]`' })
  updateRules(@Body() body: Record<string, unknown>) {
    return this.commands.execute(new UpdateNotificationRulesCommand(body));
  }

  @Get('deliveries')
  @ApiOperation({ summary: 'Email and webhook deliveries with their status (pending, sent, dead), tries and last error' })
  @ApiOkResponse({ type: DeliveryPageResponse })
  deliveries(@Query() q: ListDeliveriesRequest) {
    return this.queries.execute(
      new ListDeliveriesQuery({
        ...(q.status ? { status: q.status } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.notificationId !== undefined ? { notificationId: q.notificationId } : {}),
        limit: q.limit ?? DEFAULT_PAGE_LIMIT,
        offset: q.offset ?? 0,
      }),
    );
  }
}
