import { mkdirSync } from 'node:fs';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { LoggingConfig } from '../config/app-config.js';
import { RequestContext } from '../context/request-context.js';
import { LogTapTransport, ProcessLog } from './log-tap.js';
import { redact } from './redaction.js';

/** Adds the correlation id of the current request/command/tick and masks secrets. */
const enrich = winston.format((info) => {
  const correlationId = RequestContext.correlationId();
  const enriched = redact(info);
  if (correlationId && !enriched.correlationId) enriched.correlationId = correlationId;
  return enriched;
});

/**
 * Nest's start-up chatter (a line per module and per route: ~65 of them) is debug, not info: at the
 * default level the log starts with what an operator reads (listening, warnings) and the API token
 * banner is not buried under it.
 */
const BOOT_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const LEVEL = Symbol.for('level');
const quietBootChatter = winston.format((info) => {
  if (info.level === 'info' && typeof info.context === 'string' && BOOT_CHATTER.has(info.context)) {
    info.level = 'debug';
    (info as Record<symbol, unknown>)[LEVEL] = 'debug';
  }
  return info;
});

export interface LoggerTargets {
  /** JSON lines on stdout (default true). */
  console?: boolean;
  /** Daily-rotated, size-capped, gzipped files under LOG_DIR (default true). */
  files?: boolean;
  /** Extra transports, e.g. a capture stream in tests. */
  extra?: winston.transport[];
}

export const LOG_FILE_PREFIX = 'tradedesk';

export function createWinstonLogger(config: LoggingConfig, targets: LoggerTargets = {}): winston.Logger {
  const transports: winston.transport[] = [new LogTapTransport(), ...(targets.extra ?? [])];
  if (targets.console ?? true) transports.push(new winston.transports.Console());
  if (targets.files ?? true) {
    mkdirSync(config.dir, { recursive: true, mode: 0o700 });
    transports.push(
      new DailyRotateFile({
        dirname: config.dir,
        filename: `${LOG_FILE_PREFIX}-%DATE%.log`,
        datePattern: 'YYYY-MM-DD',
        maxSize: config.maxSize,
        maxFiles: `${config.retentionDays}d`,
        zippedArchive: true,
        auditFile: `${config.dir}/.audit.json`,
      }),
    );
  }
  const logger = winston.createLogger({
    level: config.level,
    format: winston.format.combine(
      quietBootChatter(),
      enrich(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports,
  });
  ProcessLog.track(logger);
  return logger;
}

/**
 * Writes out every line the log files still hold and closes them: call it last before the process
 * exits, or the final lines (the shutdown's) are lost with the unflushed stream.
 */
export async function closeLogger(logger: winston.Logger, timeoutMs = 2_000): Promise<void> {
  ProcessLog.untrack(logger);
  const closing = logger.transports.map(
    (transport) =>
      new Promise<void>((resolve) => {
        const closable = transport as winston.transport & { close?: () => void };
        if (!closable.close) return resolve();
        transport.once('finish', () => resolve());
        closable.close();
      }),
  );
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
