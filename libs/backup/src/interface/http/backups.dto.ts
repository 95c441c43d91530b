import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@tradedesk/shared';
import { IsIn, IsOptional } from 'class-validator';

export class ListBackupsRequest extends PageQuery {
  @ApiPropertyOptional({ enum: ['running', 'verified', 'failed'], description: 'Only backups in this state' })
  @IsOptional()
  @IsIn(['running', 'verified', 'failed'])
  status?: 'running' | 'verified' | 'failed';
}

class BackupEncryptionResponse {
  @ApiProperty({ enum: ['aes-256-gcm'] })
  algorithm: string;

  @ApiProperty({ example: '3f1c9a0be4d27c55', description: 'Which master key sealed it (a fingerprint, never the key)' })
  keyId: string;
}

class VerificationResponse {
  @ApiProperty({ example: '2026-12-08T18:00:04.120Z' })
  verifiedAt: string;

  @ApiProperty({ example: 840 })
  durationMs: number;

  @ApiProperty({ example: 'ok', description: '`ok`: the file`s SHA-256 read back equals the manifest`s' })
  checksum: string;

  @ApiProperty({
    example: 'ok',
    description:
      '`ok`: restored into a scratch database (PostgreSQL: a temporary database via pg_restore, dropped after; SQLite: the copy opened read-only)',
  })
  restore: string;

  @ApiProperty({ example: 'ok', description: 'SQLite `integrity_check`; PostgreSQL: every constraint restored and validated' })
  integrity: string;

  @ApiProperty({ example: 'ok' })
  foreignKeys: string;

  @ApiProperty({ example: 'ok', description: '`ok`: every table and its row count as in the manifest' })
  rowCounts: string;
}

class BackupFailureResponse {
  @ApiProperty({
    enum: ['space', 'backup', 'verification'],
    description: '`space`: not started (BACKUP_MIN_FREE_MB); `backup`: writing it failed; `verification`: it did not restore',
  })
  stage: string;

  @ApiProperty({ example: 'rowCounts: orders has 41 rows, the manifest says 42' })
  reason: string;
}

export class BackupResponse {
  @ApiProperty({ example: '20261208T180000123Z-a1b2c3' })
  id: string;

  @ApiProperty({ enum: ['running', 'verified', 'failed'], description: '`verified` only once a restore of it was proven' })
  status: string;

  @ApiProperty({ enum: ['schedule', 'api', 'cli'] })
  trigger: string;

  @ApiProperty({ enum: ['sqlite', 'postgres'] })
  driver: string;

  @ApiProperty({
    example: 'tradedesk-20261208T180000123Z-a1b2c3.pgdump',
    description: 'The file in BACKUP_DIR; its manifest is `<file>.manifest.json`',
  })
  file: string;

  @ApiProperty({ enum: ['sqlite', 'pg_dump-custom'] })
  format: string;

  @ApiProperty({ type: BackupEncryptionResponse, nullable: true, description: 'Set when BACKUP_ENCRYPT=on sealed it' })
  encryption: BackupEncryptionResponse | null;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the file as stored' })
  sha256: string | null;

  @ApiProperty({ type: Number, nullable: true })
  sizeBytes: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Notifications1796666329893' })
  latestMigration: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { orders: 42, trades: 40 } })
  rowCounts: Record<string, number>;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Creation time of the newest order in it: what restoring it brings back, at most',
  })
  newestOrderAt: string | null;

  @ApiProperty()
  startedAt: string;

  @ApiProperty({ type: String, nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Time to write it, verification not included' })
  durationMs: number | null;

  @ApiProperty({ example: '0.1.0' })
  tradedeskVersion: string;

  @ApiProperty({ type: String, nullable: true, example: 'PostgreSQL 15.8' })
  engineVersion: string | null;

  @ApiProperty({ type: VerificationResponse, nullable: true })
  verification: VerificationResponse | null;

  @ApiProperty({ type: BackupFailureResponse, nullable: true })
  failure: BackupFailureResponse | null;
}

export class BackupPageResponse {
  @ApiProperty({ type: [BackupResponse] })
  items: BackupResponse[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}
