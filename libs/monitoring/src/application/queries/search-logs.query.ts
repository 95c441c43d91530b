import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { LoggingConfig, ValidationError } from '@tradedesk/shared';
import { listLogFiles } from '../../infrastructure/log-files.js';
import { decodeCursor, encodeCursor, type FoundLine, type LogFilter, searchLogs } from '../logs/log-search.js';

/** Log lines matching a filter, newest first, a page at a time (`cursor` from the previous page). */
export class SearchLogsQuery {
  constructor(
    readonly filter: LogFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {}
}

export interface LogPage {
  items: FoundLine[];
  /** Pass it as `cursor` for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

@QueryHandler(SearchLogsQuery)
export class SearchLogsHandler implements IQueryHandler<SearchLogsQuery, LogPage> {
  constructor(private readonly logging: LoggingConfig) {}

  async execute({ filter, limit, cursor }: SearchLogsQuery): Promise<LogPage> {
    const from = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !from)
      throw new ValidationError('LOGS.INVALID_CURSOR', 'cursor is not one this API gave out (take nextCursor of the previous page)', {
        field: 'cursor',
      });
    const { items, next } = await searchLogs(await listLogFiles(this.logging.dir), filter, limit, from);
    return { items, nextCursor: next ? encodeCursor(next) : null };
  }
}
