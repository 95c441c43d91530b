import type { Decimal } from '@tradedesk/shared';

/**
 * Candle lengths tradedesk reads: those both Binance (`/api/v3/klines` intervals) and Upbit
 * (`/v1/candles/minutes/{1,5,15,60,240}`, `/v1/candles/days`) serve, in ccxt's names.
 */
export const CANDLE_TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type CandleTimeframe = (typeof CANDLE_TIMEFRAMES)[number];

/** The most candles one request asks for (Upbit answers at most 200 per call). */
export const MAX_CANDLES = 200;

/** One OHLCV candle as the exchange reports it; days start 00:00 UTC on both exchanges. */
export interface Candle {
  openTime: Date;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** Base volume traded in the candle. */
  volume: Decimal;
}
