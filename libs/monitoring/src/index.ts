// Monitoring context: Prometheus metrics (GET /metrics), error-log monitoring with spike alerts, log analysis, and its lines of /api/health.
export { MonitoringConfig, type HealthThresholds, type ErrorSpikeSettings } from './monitoring.config.js';
export { ErrorSpikeDetectedEvent, ErrorSpikeResolvedEvent, type SpikeCulprit } from './domain/events/monitoring.events.js';
export { ListErrorsQuery, type ErrorGroupPage } from './application/queries/list-errors.query.js';
export type { ErrorGroupView } from './domain/error-groups.js';
export { SearchLogsQuery, type LogPage } from './application/queries/search-logs.query.js';
export { SummarizeLogsQuery } from './application/queries/summarize-logs.query.js';
export type { LogSummary } from './application/logs/log-summary.js';
export { SetLogLevelCommand, type LogLevelState } from './application/commands/set-log-level.command.js';
export * from './monitoring.module.js';
