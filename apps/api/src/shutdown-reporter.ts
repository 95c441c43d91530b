import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/**
 * Says that tradedesk is stopping and why, before any module shuts down: an operator reading the log
 * (or the supervisor that sent the signal) sees an orderly stop begin; main.ts logs its end.
 */
@Injectable()
export class ShutdownReporter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`tradedesk stopping${signal ? ` on ${signal}` : ''}: no new ticks; finishing work in flight`);
  }
}
