import { Global, Injectable, Module } from '@nestjs/common';
import { startExchangeSim } from '@tradedesk/exchange-sim';
import { EmbeddedExchangeSim, type EmbeddedExchangeSimOptions, type RunningEmbeddedExchangeSim } from '@tradedesk/exchanges';

/** Sim mode's built-in emulator: apps/exchange-sim in this process (the exchanges context decides when to start it). */
@Injectable()
export class BuiltInExchangeSim extends EmbeddedExchangeSim {
  start(options: EmbeddedExchangeSimOptions): Promise<RunningEmbeddedExchangeSim> {
    return startExchangeSim(options);
  }
}

@Global()
@Module({ providers: [{ provide: EmbeddedExchangeSim, useClass: BuiltInExchangeSim }], exports: [EmbeddedExchangeSim] })
export class BuiltInExchangeSimModule {}
