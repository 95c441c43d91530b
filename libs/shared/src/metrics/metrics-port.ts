import { Injectable } from '@nestjs/common';

/** One request to an exchange (one attempt of a retried read), as the gateway's request wrapper saw it. */
export interface ExchangeRequestMeasure {
  exchange: string;
  /** The gateway's name for the call (`createOrder`, `tickers`, …): a short list fixed in code. */
  endpoint: string;
  /** The request alone, without its wait in the rate governor's queue. */
  seconds: number;
  /** The translated error's stable code (`EXCHANGE.UNAVAILABLE`); absent when the exchange answered. */
  errorCode?: string;
}

/** One tick of the condition scheduler. */
export interface TickMeasure {
  /** The whole tick: price reads and evaluation. */
  seconds: number;
  /** The conditions' part of it: evaluating the prices read and what came due. */
  evaluationSeconds: number;
  endedAt: Date;
  /** The exchanges whose prices this tick needed (the conditions watch a market there). */
  exchangesWatched: readonly string[];
}

export type DeliveryResult = 'sent' | 'failed' | 'dead';

/**
 * What contexts tell the metrics at the few points only they can see (the monitoring context
 * implements it; everything else it learns from domain events). Calls must be cheap and never
 * throw: they sit on the order path.
 */
export interface MetricsSink {
  /** A request joined its rate-governor lane's queue. */
  exchangeRequestQueued(exchange: string, lane: string): void;
  /** It left the queue for the exchange after waiting this long. */
  exchangeRequestStarted(exchange: string, lane: string, waitedSeconds: number): void;
  exchangeRequestEnded(measure: ExchangeRequestMeasure): void;
  /** A cache read; `key` is the entry's key, of which only its fixed prefix is kept. */
  cacheLookup(key: string, hit: boolean): void;
  tickEnded(measure: TickMeasure): void;
  notificationDelivery(channel: string, result: DeliveryResult): void;
}

/**
 * The metrics port every context may inject (provided by the platform). It does nothing until a
 * sink is attached — the monitoring context attaches its Prometheus recorder at start unless
 * METRICS=off — so a context that reports through it works the same with or without monitoring.
 */
@Injectable()
export class MetricsPort implements MetricsSink {
  private sink: MetricsSink | undefined;

  attach(sink: MetricsSink): void {
    this.sink = sink;
  }

  detach(sink: MetricsSink): void {
    if (this.sink === sink) this.sink = undefined;
  }

  exchangeRequestQueued(exchange: string, lane: string): void {
    this.sink?.exchangeRequestQueued(exchange, lane);
  }

  exchangeRequestStarted(exchange: string, lane: string, waitedSeconds: number): void {
    this.sink?.exchangeRequestStarted(exchange, lane, waitedSeconds);
  }

  exchangeRequestEnded(measure: ExchangeRequestMeasure): void {
    this.sink?.exchangeRequestEnded(measure);
  }

  cacheLookup(key: string, hit: boolean): void {
    this.sink?.cacheLookup(key, hit);
  }

  tickEnded(measure: TickMeasure): void {
    this.sink?.tickEnded(measure);
  }

  notificationDelivery(channel: string, result: DeliveryResult): void {
    this.sink?.notificationDelivery(channel, result);
  }
}
