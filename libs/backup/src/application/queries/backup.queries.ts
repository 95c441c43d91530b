import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { BackupManifest } from '../../domain/backup-manifest.js';
import { BackupJobs } from '../backup-jobs.js';

export interface BackupPage {
  items: BackupManifest[];
  total: number;
  limit: number;
  offset: number;
}

/** The backups in BACKUP_DIR, newest first, each with its verification state. */
export class ListBackupsQuery {
  constructor(readonly page: { limit: number; offset: number; status?: BackupManifest['status'] }) {}
}

export class GetBackupQuery {
  constructor(readonly backupId: string) {}
}

@QueryHandler(ListBackupsQuery)
export class ListBackupsHandler implements IQueryHandler<ListBackupsQuery, BackupPage> {
  constructor(private readonly jobs: BackupJobs) {}

  execute({ page }: ListBackupsQuery): Promise<BackupPage> {
    const all = this.jobs.list().filter((m) => page.status === undefined || m.status === page.status);
    return Promise.resolve({
      items: all.slice(page.offset, page.offset + page.limit),
      total: all.length,
      limit: page.limit,
      offset: page.offset,
    });
  }
}

@QueryHandler(GetBackupQuery)
export class GetBackupHandler implements IQueryHandler<GetBackupQuery, BackupManifest> {
  constructor(private readonly jobs: BackupJobs) {}

  execute({ backupId }: GetBackupQuery): Promise<BackupManifest> {
    return Promise.resolve(this.jobs.get(backupId));
  }
}
