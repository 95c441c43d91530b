import { Injectable } from '@nestjs/common';
import type { DeliveryResult, ExchangeRequestMeasure, MetricsSink, TickMeasure } from '@tradedesk/shared';
import { label } from './labels.js';

/**
 * What /api/health needs from the metrics port whether metrics are on or off: when the scheduler
 * last ticked, and when each exchange last answered a price read. The port's sink: it hands every
 * call on to the Prometheus recorder when metrics are on.
 */
@Injectable()
export class Liveness implements MetricsSink {
  lastTickAt: Date | undefined;
  private readonly priceReadAt = new Map<string, number>();
  private recorder: MetricsSink | undefined;

  /** Metrics on: every measure also goes to the recorder. */
  recordInto(recorder: MetricsSink): void {
    this.recorder = recorder;
  }

  /** Exchanges whose prices were read, with the time (ms) of the last successful read. */
  priceReads(): ReadonlyMap<string, number> {
    return this.priceReadAt;
  }

  exchangeRequestQueued(exchange: string, lane: string): void {
    this.recorder?.exchangeRequestQueued(exchange, lane);
  }

  exchangeRequestStarted(exchange: string, lane: string, waitedSeconds: number): void {
    this.recorder?.exchangeRequestStarted(exchange, lane, waitedSeconds);
  }

  exchangeRequestEnded(measure: ExchangeRequestMeasure): void {
    if (measure.errorCode === undefined && (measure.endpoint === 'ticker' || measure.endpoint === 'tickers'))
      this.priceReadAt.set(label.exchange(measure.exchange), Date.now());
    this.recorder?.exchangeRequestEnded(measure);
  }

  cacheLookup(key: string, hit: boolean): void {
    this.recorder?.cacheLookup(key, hit);
  }

  tickEnded(measure: TickMeasure): void {
    this.lastTickAt = measure.endedAt;
    this.recorder?.tickEnded(measure);
  }

  notificationDelivery(channel: string, result: DeliveryResult): void {
    this.recorder?.notificationDelivery(channel, result);
  }
}
