import TransportStream from 'winston-transport';
import type winston from 'winston';
import type { LogLevel } from '../config/app-config.js';

/** A log line as written (secrets already masked): `level`, `message`, `timestamp`, and whatever the caller added. */
export interface LoggedEntry {
  level: string;
  message: unknown;
  timestamp?: string;
  context?: unknown;
  correlationId?: unknown;
  [field: string]: unknown;
}

export type LogListener = (entry: LoggedEntry) => void;

const listeners = new Set<LogListener>();
const loggers = new Set<winston.Logger>();

/**
 * Hands the warnings and errors the process logs to whoever listens (the error monitor), as they
 * are written: one more transport of every logger createWinstonLogger makes. A listener that
 * throws is dropped from that line, never from logging.
 */
export class LogTapTransport extends TransportStream {
  constructor() {
    super({ level: 'warn' });
  }

  override log(info: LoggedEntry, next: () => void): void {
    for (const listener of listeners) {
      try {
        listener(info);
      } catch {
        // A faulty listener must not break logging.
      }
    }
    next();
  }
}

/**
 * The process's logs, as one thing: Nest's loggers write to the last app's winston logger, so a
 * process has one log whatever the number of loggers it built.
 */
export const ProcessLog = {
  /** Warnings and errors as they are logged; returns the unsubscribe. */
  subscribe(listener: LogListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /** Called by createWinstonLogger / closeLogger. */
  track(logger: winston.Logger): void {
    loggers.add(logger);
  },
  untrack(logger: winston.Logger): void {
    loggers.delete(logger);
  },

  /** The level of the loggers now (the last one built, when they differ). */
  level(): LogLevel | undefined {
    let level: LogLevel | undefined;
    for (const logger of loggers) level = logger.level as LogLevel;
    return level;
  },

  /** Changes what is logged from now on, until the next start (LOG_LEVEL sets it at start). */
  setLevel(level: LogLevel): void {
    for (const logger of loggers) logger.level = level;
  },
};
