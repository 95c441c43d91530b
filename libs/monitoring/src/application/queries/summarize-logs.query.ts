import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { LoggingConfig } from '@tradedesk/shared';
import { listLogFiles } from '../../infrastructure/log-files.js';
import { type LogSummary, summarizeLogs } from '../logs/log-summary.js';

/** Counts per hour by level and context, the most frequent messages and the slowest requests over [from, to). */
export class SummarizeLogsQuery {
  constructor(
    readonly from: Date,
    readonly to: Date,
  ) {}
}

@QueryHandler(SummarizeLogsQuery)
export class SummarizeLogsHandler implements IQueryHandler<SummarizeLogsQuery, LogSummary> {
  constructor(private readonly logging: LoggingConfig) {}

  async execute({ from, to }: SummarizeLogsQuery): Promise<LogSummary> {
    return summarizeLogs(await listLogFiles(this.logging.dir), from, to);
  }
}
