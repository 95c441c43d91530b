import { Module } from '@nestjs/common';

/** Exchange accounts, gateways to Binance and Upbit, market data, fees and premium. */
@Module({})
export class ExchangesModule {}
