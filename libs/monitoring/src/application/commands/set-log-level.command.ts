import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditTrail, type LogLevel, LoggingConfig, ProcessLog } from '@tradedesk/shared';

/** Changes the log level of the running process until its next start (LOG_LEVEL sets it at start). */
export class SetLogLevelCommand {
  constructor(readonly level: LogLevel) {}
}

export interface LogLevelState {
  level: LogLevel;
  previous: LogLevel;
  /** The level the next start will use. */
  atStart: LogLevel;
}

@CommandHandler(SetLogLevelCommand)
export class SetLogLevelHandler implements ICommandHandler<SetLogLevelCommand, LogLevelState> {
  constructor(
    private readonly audit: AuditTrail,
    private readonly logging: LoggingConfig,
  ) {}

  async execute({ level }: SetLogLevelCommand): Promise<LogLevelState> {
    const previous = ProcessLog.level() ?? this.logging.level;
    ProcessLog.setLevel(level);
    await this.audit.append({ action: 'log_level.changed', details: { from: previous, to: level } });
    return { level, previous, atStart: this.logging.level };
  }
}
