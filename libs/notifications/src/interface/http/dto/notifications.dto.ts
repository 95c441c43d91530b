import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@tradedesk/shared';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { CHANNEL_MODES, NOTIFICATION_TYPE_NAMES } from '../../../domain/notification-types.js';

export class ListNotificationsRequest extends PageQuery {
  @ApiPropertyOptional({ description: 'Only unread notifications' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({ enum: NOTIFICATION_TYPE_NAMES, description: 'Only this type' })
  @IsOptional()
  @IsIn(NOTIFICATION_TYPE_NAMES)
  type?: string;
}

export class ListDeliveriesRequest extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'sent', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'sent', 'dead'])
  status?: 'pending' | 'sent' | 'dead';

  @ApiPropertyOptional({ enum: ['email', 'webhook'] })
  @IsOptional()
  @IsIn(['email', 'webhook'])
  channel?: 'email' | 'webhook';

  @ApiPropertyOptional({ description: 'Only the deliveries of this notification' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  notificationId?: number;
}

export class NotificationResponse {
  @ApiProperty({ example: 42, description: 'Grows in the order notifications were recorded; the live stream`s event id' })
  id: number;

  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES, example: 'trade.completed' })
  type: string;

  @ApiProperty({ enum: ['info', 'warning', 'critical'] })
  severity: string;

  @ApiProperty({ example: 'Trade completed: BTC/USDT +12.5 USDT' })
  title: string;

  @ApiProperty({ description: 'Plain text, one `label: value` line per fact, in NOTIFY_LOCALE' })
  body: string;

  @ApiProperty({ example: '2026-12-07T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: String, nullable: true })
  readAt: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The facts (decimal strings, ISO times): for a fill `orderId, symbol, side, filled, average, cost, fee, feeCurrency`; for a trade also `realizedPnl, fees, returnPercent, holdingSeconds, openedAt, closedAt`',
  })
  data: Record<string, unknown>;
}

export class NotificationPageResponse {
  @ApiProperty({ type: [NotificationResponse] })
  items: NotificationResponse[];

  @ApiProperty()
  total: number;

  @ApiProperty({ description: 'Unread notifications in all (not only this page)' })
  unread: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}

class ChannelModesDto {
  @ApiPropertyOptional({ enum: CHANNEL_MODES })
  web?: string;

  @ApiPropertyOptional({ enum: CHANNEL_MODES })
  email?: string;

  @ApiPropertyOptional({ enum: CHANNEL_MODES })
  webhook?: string;
}

export class RuleRequest {
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES.filter((t) => t !== 'exchange.recovered' && t !== 'errors.resolved') })
  type: string;

  @ApiPropertyOptional({
    type: ChannelModesDto,
    description:
      '`on` delivers at once; `silent` records without an alert (web: stored read, not pushed live; email: only in the daily summary; webhook: sent flagged silent); `off` nothing. Critical types (order.unknown, condition.failed, position.unprotected, exchange.unavailable) cannot be `off`.',
  })
  channels?: ChannelModesDto;

  @ApiPropertyOptional({ minimum: 1, description: 'Failed calls in a row before exchange.unavailable / exchange.rate_limited is told' })
  threshold?: number;

  @ApiPropertyOptional({
    minimum: 0,
    description:
      'The same subject is not told again within this many seconds; for exchange.unavailable, how long the exchange must answer before "recovered"',
  })
  cooldownSeconds?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['me@example.com'],
    description: 'Email recipients of this type; empty: NOTIFY_EMAIL_TO',
  })
  recipients?: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'http(s) URL of this type`s webhook; null: NOTIFY_WEBHOOK_URL. Answers show only its origin.',
  })
  webhookUrl?: string | null;
}

export class UpdateRulesRequest {
  @ApiProperty({ type: [RuleRequest] })
  rules: RuleRequest[];
}

export class RuleResponse extends RuleRequest {
  @ApiProperty({ description: 'Cannot be turned off' })
  critical: boolean;
}

export class RulesResponse {
  @ApiProperty({ type: [RuleResponse] })
  rules: RuleResponse[];
}

export class DeliveryResponse {
  @ApiProperty()
  id: string;

  @ApiProperty()
  notificationId: number;

  @ApiProperty({ enum: ['email', 'webhook'] })
  channel: string;

  @ApiProperty({ example: 'me@example.com', description: 'The address, or a webhook`s preset and origin (never its path)' })
  recipient: string;

  @ApiProperty({ enum: ['pending', 'sent', 'dead'] })
  status: string;

  @ApiProperty({ description: 'Tries so far' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'When a pending delivery is tried next' })
  nextAttemptAt: string | null;

  @ApiProperty()
  createdAt: string;

  @ApiProperty({ type: String, nullable: true })
  sentAt: string | null;
}

export class DeliveryPageResponse {
  @ApiProperty({ type: [DeliveryResponse] })
  items: DeliveryResponse[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}
