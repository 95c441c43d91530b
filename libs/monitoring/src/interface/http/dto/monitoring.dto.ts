import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_PAGE_LIMIT, PageQuery } from '@tradedesk/shared';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;

export class ListErrorsRequest extends PageQuery {
  @ApiPropertyOptional({ enum: ['error', 'warn'], description: 'Only errors, or only warnings' })
  @IsOptional()
  @IsIn(['error', 'warn'])
  level?: 'error' | 'warn';
}

export class ErrorSampleResponse {
  @ApiProperty({ example: 'order 5f0c… (td-9a1b…) outcome unknown: binance request timed out after 10000 ms' })
  message: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request (or command, or tick) it was logged for: GET /api/logs?requestId=',
  })
  requestId: string | null;

  @ApiProperty({ example: '2026-12-07T12:00:00.000Z' })
  at: string;
}

export class ErrorGroupResponse {
  @ApiProperty({
    example: '3f9c0a6b1d2e4f50',
    description: 'Level, context and message pattern, hashed: the same error across occurrences',
  })
  fingerprint: string;

  @ApiProperty({ enum: ['error', 'warn'] })
  level: string;

  @ApiProperty({ type: String, nullable: true, example: 'OrderSubmission' })
  context: string | null;

  @ApiProperty({
    example: 'order <id> (<id>) outcome unknown: binance request timed out after <n> ms',
    description: 'The message with ids, hex and numbers taken out',
  })
  pattern: string;

  @ApiProperty({ example: 3, description: 'Occurrences over the last hour' })
  lastHour: number;

  @ApiProperty({ example: 12, description: 'Occurrences over the last 24 hours' })
  lastDay: number;

  @ApiProperty({ example: '2026-12-07T02:10:00.000Z', description: 'First occurrence within the last 24 hours' })
  firstSeen: string;

  @ApiProperty({ example: '2026-12-07T12:00:00.000Z' })
  lastSeen: string;

  @ApiProperty({ type: ErrorSampleResponse, description: 'The latest occurrence as logged' })
  sample: ErrorSampleResponse;
}

export class ErrorGroupPageResponse {
  @ApiProperty({ type: [ErrorGroupResponse] })
  items: ErrorGroupResponse[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;

  @ApiProperty({ description: 'True while errors come faster than ERROR_SPIKE_THRESHOLD per ERROR_SPIKE_WINDOW_SECONDS' })
  spiking: boolean;
}

export class SearchLogsRequest {
  @ApiPropertyOptional({ enum: LEVELS, description: 'This level and the more severe ones (`warn`: warnings and errors)' })
  @IsOptional()
  @IsIn(LEVELS)
  level?: string;

  @ApiPropertyOptional({ example: 'OrderSubmission', description: 'Only lines of this context (the class that logged them)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  context?: string;

  @ApiPropertyOptional({ description: 'Only lines of this request (its X-Request-Id), command or tick' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  requestId?: string;

  @ApiPropertyOptional({ description: 'Appears anywhere in the line, case-insensitive (message, fields, stack)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  text?: string;

  @ApiPropertyOptional({ example: '2026-12-07T00:00:00Z', description: 'Lines at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-08T00:00:00Z', description: 'Lines before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ default: 100, maximum: MAX_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}

export class LogLineResponse {
  @ApiProperty({ example: 'tradedesk-2026-12-07.log', description: 'The file it is in (a rotated one ends in .gz)' })
  file: string;

  @ApiProperty({ example: 1234 })
  line: number;

  @ApiProperty({ type: String, nullable: true, example: '2026-12-07T12:00:00.000Z' })
  at: string | null;

  @ApiProperty({ example: 'error', description: '`unparsed` for a line that is not a JSON log entry (kept as its text)' })
  level: string;

  @ApiProperty()
  message: string;

  @ApiProperty({ type: String, nullable: true })
  context: string | null;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The other fields of the line (stack, durationMs, …)' })
  fields: Record<string, unknown>;
}

export class LogPageResponse {
  @ApiProperty({ type: [LogLineResponse], description: 'Newest first' })
  items: LogLineResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next, older page; null at the end' })
  nextCursor: string | null;
}

export class LogSummaryRequest {
  @ApiPropertyOptional({ example: '2026-12-07T00:00:00Z', description: 'Default: 24 hours before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-08T00:00:00Z', description: 'Default: now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class SetLogLevelRequest {
  @ApiProperty({ enum: LEVELS, example: 'debug' })
  @IsIn(LEVELS)
  level: (typeof LEVELS)[number];
}

export class LogLevelResponse {
  @ApiProperty({ enum: LEVELS, example: 'debug', description: 'What is logged from now on' })
  level: string;

  @ApiProperty({ enum: LEVELS, example: 'info' })
  previous: string;

  @ApiProperty({ enum: LEVELS, example: 'info', description: 'LOG_LEVEL: the level of the next start' })
  atStart: string;
}
