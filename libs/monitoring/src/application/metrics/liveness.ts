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
  /** Exchanges the last tick needed prices from, with when they began to be needed (ms). */
  private watchedSince = new Map<string, number>();
  private recorder: MetricsSink | undefined;

  /** Metrics on: every measure also goes to the recorder. */
  recordInto(recorder: MetricsSink): void {
    this.recorder = recorder;
  }

  /**
   * The exchanges the scheduler needs prices from now (a condition watches a market there), each
   * with when its prices were last read successfully — or, never read since, when it began to be
   * watched. An exchange nothing watches has no freshness to keep.
   */
  watchedPriceReads(): ReadonlyMap<string, number> {
    const reads = new Map<string, number>();
    for (const [exchange, since] of this.watchedSince) reads.set(exchange, Math.max(since, this.priceReadAt.get(exchange) ?? 0));
    return reads;
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
    const watched = new Map<string, number>();
    for (const exchange of measure.exchangesWatched.map((e) => label.exchange(e)))
      watched.set(exchange, this.watchedSince.get(exchange) ?? measure.endedAt.getTime());
    this.watchedSince = watched;
    this.recorder?.tickEnded(measure);
  }

  notificationDelivery(channel: string, result: DeliveryResult): void {
    this.recorder?.notificationDelivery(channel, result);
  }
}
