import { Module } from '@nestjs/common';
import { ExchangesModule } from '@tradedesk/exchanges';
import { PricePoll } from './price-poll.js';

/**
 * The scheduler (@nestjs/schedule): the price poll that ticks the conditions. It only reads prices
 * and sends the conditions commands; what a tick decides lives in the conditions context.
 */
@Module({
  imports: [ExchangesModule],
  providers: [PricePoll],
  exports: [PricePoll],
})
export class SchedulerModule {}
