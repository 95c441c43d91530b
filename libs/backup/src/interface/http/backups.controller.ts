import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT } from '@tradedesk/shared';
import { TakeBackupCommand } from '../../application/commands/take-backup.js';
import { VerifyBackupCommand } from '../../application/commands/verify-backup.js';
import { GetBackupQuery, ListBackupsQuery } from '../../application/queries/backup.queries.js';
import { BackupPageResponse, BackupResponse, ListBackupsRequest } from './backups.dto.js';

@ApiTags('backups')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
@Controller('backups')
export class BackupsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The backups in BACKUP_DIR, newest first, with their verification state',
    description:
      'Scheduled (BACKUP_CRON), API and `npm run backup` backups alike; retention keeps the newest of the last days, weeks and months.',
  })
  @ApiOkResponse({ type: BackupPageResponse })
  list(@Query() q: ListBackupsRequest) {
    return this.queries.execute(
      new ListBackupsQuery({ limit: q.limit ?? DEFAULT_PAGE_LIMIT, offset: q.offset ?? 0, ...(q.status ? { status: q.status } : {}) }),
    );
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Takes a backup now',
    description:
      'Answers at once with the backup `running`. It is then written (PostgreSQL: `pg_dump -Fc`; SQLite: the online backup API, consistent while orders flow), ' +
      'verified by restoring it into a scratch database, and ends `verified` or `failed` (poll `GET /api/backups/{id}`). ' +
      'A failure raises the `backup.failed` notification. Refused before it starts when it would leave less than BACKUP_MIN_FREE_MB free.',
  })
  @ApiAcceptedResponse({ type: BackupResponse })
  @ApiConflictResponse({ description: '`BACKUP.IN_PROGRESS`: a backup or verification is running on this BACKUP_DIR' })
  take() {
    return this.commands.execute(new TakeBackupCommand('api'));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One backup: its manifest (row counts, latest migration, newest order, checksum) and verification' })
  @ApiOkResponse({ type: BackupResponse })
  @ApiNotFoundResponse({ description: '`BACKUP.NOT_FOUND`' })
  get(@Param('id') id: string) {
    return this.queries.execute(new GetBackupQuery(id));
  }

  @Post(':id/verify')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Proves a backup again',
    description:
      'Reads the file back against its checksum and restores it into a scratch database (integrity, foreign keys, row counts). ' +
      'Answers at once with the backup `running`; it ends `verified` or `failed` (and `failed` raises `backup.failed`).',
  })
  @ApiAcceptedResponse({ type: BackupResponse })
  @ApiNotFoundResponse({ description: '`BACKUP.NOT_FOUND`' })
  @ApiConflictResponse({ description: '`BACKUP.IN_PROGRESS`, or `BACKUP.NOT_VERIFIABLE` (its file was never written)' })
  verify(@Param('id') id: string) {
    return this.commands.execute(new VerifyBackupCommand(id));
  }
}
