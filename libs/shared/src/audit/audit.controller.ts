import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEFAULT_PAGE_LIMIT, PageQuery } from '../http/page-query.js';
import { AUDIT_ACTIONS, type AuditEntry, AuditTrail } from './audit-trail.js';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only entries of this action' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: string;
}

export class AuditSubjectResponse {
  @ApiProperty({ example: 'account' })
  type: string;

  @ApiProperty({ example: '0b6f3c2e-5a4d-4e7b-9a51-2f0c8d1e7a10' })
  id: string;
}

export class AuditEntryResponse {
  @ApiProperty({ example: 42, description: 'Increases with every entry: newest first is highest first' })
  id: number;

  @ApiProperty({ example: '2026-12-07T12:00:00.000Z' })
  occurredAt: string;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'account.created' })
  action: string;

  @ApiProperty({
    enum: ['api', 'cli', 'system'],
    example: 'api',
    description:
      '`api`: a request with the bearer token; `cli`: an `npm run` command on the server; `system`: tradedesk itself (sim mode seeding)',
  })
  actor: string;

  @ApiProperty({ type: AuditSubjectResponse, nullable: true })
  subject: AuditSubjectResponse | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924',
    description: 'X-Request-Id of the request',
  })
  requestId: string | null;

  @ApiProperty({ type: String, nullable: true, example: '127.0.0.1' })
  clientIp: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { exchange: 'binance', mode: 'live', label: 'Binance main', maskedKey: '****h8A' },
    description: 'What was done; never a key, secret or token',
  })
  details: Record<string, unknown> | null;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse] })
  items: AuditEntryResponse[];

  @ApiProperty({ example: 1 })
  total: number;

  @ApiProperty({ example: DEFAULT_PAGE_LIMIT })
  limit: number;

  @ApiProperty({ example: 0 })
  offset: number;
}

function present(entry: AuditEntry): AuditEntryResponse {
  return { ...entry, occurredAt: entry.occurredAt.toISOString() };
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @ApiOperation({
    summary: 'The audit log of sensitive actions, newest first',
    description:
      'Exchange accounts created, updated (label, keys replaced) and deleted — never the keys themselves, only their masked ending — ' +
      'API token rotations (`npm run token:rotate`) and master key rotations (`npm run master-key:rotate`). Each entry is written in the ' +
      'same transaction as its action. Paginated with `limit` (≤ 500) and `offset`.',
  })
  @ApiOkResponse({ type: AuditPageResponse })
  @ApiBadRequestResponse({ description: '`limit`, `offset` or `action` is not valid (`REQUEST.VALIDATION_FAILED`)' })
  @ApiUnauthorizedResponse({ description: 'No or a wrong bearer token (`AUTH.MISSING_TOKEN`, `AUTH.INVALID_TOKEN`)' })
  async list(@Query() query: AuditQuery): Promise<AuditPageResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = query.offset ?? 0;
    const page = await this.audit.list({ limit, offset, action: query.action });
    return { items: page.items.map(present), total: page.total, limit, offset };
  }
}
