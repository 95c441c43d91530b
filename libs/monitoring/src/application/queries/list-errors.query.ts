import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ErrorGroupView } from '../../domain/error-groups.js';
import { ErrorMonitor } from '../errors/error-monitor.js';

/** Errors and warnings of the last 24 h grouped by fingerprint, most recently seen first. */
export class ListErrorsQuery {
  constructor(readonly filter: { level?: 'error' | 'warn'; limit: number; offset: number }) {}
}

export interface ErrorGroupPage {
  items: ErrorGroupView[];
  total: number;
  limit: number;
  offset: number;
  /** True while the error rate is above the spike threshold. */
  spiking: boolean;
}

@QueryHandler(ListErrorsQuery)
export class ListErrorsHandler implements IQueryHandler<ListErrorsQuery, ErrorGroupPage> {
  constructor(private readonly monitor: ErrorMonitor) {}

  async execute({ filter }: ListErrorsQuery): Promise<ErrorGroupPage> {
    await this.monitor.restored;
    const all = this.monitor.list().filter((g) => filter.level === undefined || g.level === filter.level);
    return {
      items: all.slice(filter.offset, filter.offset + filter.limit),
      total: all.length,
      limit: filter.limit,
      offset: filter.offset,
      spiking: this.monitor.spiking,
    };
  }
}
