import { Injectable } from '@nestjs/common';
import type { DeliveryResult, ExchangeRequestMeasure, MetricsSink, TickMeasure } from '@tradedesk/shared';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { label, UNMATCHED_ROUTE } from './labels.js';

export const METRIC_PREFIX = 'tradedesk_';
const EVENT_LOOP_SAMPLE_MS = 100;

/** Seconds: from a fast local answer to an exchange call that waits for its timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: a tick's work is sub-millisecond when nothing fires, seconds when a burst of stops does. */
const TICK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** An order event as the metrics count it (the orders context's OrderFacts, narrowed). */
export interface OrderOutcome {
  exchange: string;
  side: string;
  type: string;
  purpose: string;
  /** `placed`, `accepted`, `filled`, `canceled`, `rejected`, `unknown`, `needs_attention`. */
  result: string;
}

/**
 * Every tradedesk_ metric of one app, in its own registry (two apps in one process never share
 * series). It is the metrics port's sink (exchange requests, rate-governor lanes, cache, ticks,
 * deliveries) and what the monitoring context's event handlers and HTTP hook record into;
 * gauges read at scrape time are added by ScrapeCollectors.
 */
@Injectable()
export class TradingMetrics implements MetricsSink {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time from receiving an HTTP request to its answer, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly exchangeRequests = new Counter({
    name: `${METRIC_PREFIX}exchange_requests_total`,
    help: 'Requests sent to an exchange (each attempt of a retried read counts), by result',
    labelNames: ['exchange', 'endpoint', 'result'] as const,
    registers: [this.registry],
  });
  private readonly exchangeErrors = new Counter({
    name: `${METRIC_PREFIX}exchange_errors_total`,
    help: 'Exchange requests that failed, by error class (unavailable, rate_limited, outcome_unknown, invalid_order, ...)',
    labelNames: ['exchange', 'endpoint', 'error_class'] as const,
    registers: [this.registry],
  });
  private readonly exchangeDuration = new Histogram({
    name: `${METRIC_PREFIX}exchange_request_duration_seconds`,
    help: 'Duration of exchange requests, without their wait in the rate governor',
    labelNames: ['exchange', 'endpoint'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly governorQueue = new Gauge({
    name: `${METRIC_PREFIX}rate_governor_queue_depth`,
    help: 'Exchange requests waiting in the rate governor, by lane (protective exits first)',
    labelNames: ['exchange', 'lane'] as const,
    registers: [this.registry],
  });
  private readonly governorWait = new Histogram({
    name: `${METRIC_PREFIX}rate_governor_wait_seconds`,
    help: 'Time an exchange request waited in the rate governor before it was sent, by lane',
    labelNames: ['exchange', 'lane'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly orders = new Counter({
    name: `${METRIC_PREFIX}orders_total`,
    help: 'Orders by the state they reached: placed (recorded), accepted (resting), filled, canceled, rejected, unknown (outcome not known), needs_attention',
    labelNames: ['exchange', 'side', 'type', 'purpose', 'result'] as const,
    registers: [this.registry],
  });
  private readonly stopLatency = new Histogram({
    name: `${METRIC_PREFIX}stop_trigger_to_ack_seconds`,
    help: "From the tick's read of the price that crossed a condition's trigger to the exchange's acknowledgement of its order",
    labelNames: ['exchange', 'kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tickDuration = new Histogram({
    name: `${METRIC_PREFIX}tick_duration_seconds`,
    help: "A condition scheduler tick: its price reads and the conditions' evaluation",
    buckets: TICK_BUCKETS,
    registers: [this.registry],
  });
  private readonly tickEvaluation = new Histogram({
    name: `${METRIC_PREFIX}tick_evaluation_seconds`,
    help: "The conditions' evaluation of a tick's prices and of what came due",
    buckets: TICK_BUCKETS,
    registers: [this.registry],
  });
  private readonly lastTick = new Gauge({
    name: `${METRIC_PREFIX}scheduler_last_tick_timestamp_seconds`,
    help: 'When the condition scheduler last finished a tick (Unix time)',
    registers: [this.registry],
  });
  private readonly cacheHits = new Counter({
    name: `${METRIC_PREFIX}cache_hits_total`,
    help: 'Cache reads answered from the cache, by kind of entry',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });
  private readonly cacheMisses = new Counter({
    name: `${METRIC_PREFIX}cache_misses_total`,
    help: 'Cache reads that found nothing (or a cache store that was away), by kind of entry',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: `${METRIC_PREFIX}notification_deliveries_total`,
    help: 'Notification deliveries tried, by channel and result (sent, failed and retried, dead)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });
  private readonly loggedProblems = new Counter({
    name: `${METRIC_PREFIX}log_messages_total`,
    help: 'Errors and warnings written to the log',
    labelNames: ['level'] as const,
    registers: [this.registry],
  });
  private readonly spikeActive = new Gauge({
    name: `${METRIC_PREFIX}error_spike_active`,
    help: '1 while the error rate is above ERROR_SPIKE_THRESHOLD per ERROR_SPIKE_WINDOW_SECONDS',
    registers: [this.registry],
  });

  constructor() {
    for (const lane of ['protective', 'order', 'market-data'])
      for (const exchange of ['binance', 'upbit']) this.governorQueue.set({ exchange, lane }, 0);
  }

  /** Event-loop lag, heap, CPU, memory, handles (prom-client's default metrics, prefixed): started only when metrics are on. */
  collectProcessMetrics(): void {
    // The loop's delay sampled every 100 ms, not prom-client's 10: a stall worth knowing about lasts
    // longer than that, and a 100 Hz timer cost the order path a measurable share (bench/metrics).
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric (gauges read at scrape time are read now). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  // ---- the metrics port ----

  exchangeRequestQueued(exchange: string, lane: string): void {
    this.governorQueue.inc({ exchange: label.exchange(exchange), lane: label.lane(lane) });
  }

  exchangeRequestStarted(exchange: string, lane: string, waitedSeconds: number): void {
    const labels = { exchange: label.exchange(exchange), lane: label.lane(lane) };
    this.governorQueue.dec(labels);
    this.governorWait.observe(labels, waitedSeconds);
  }

  exchangeRequestEnded({ exchange, endpoint, seconds, errorCode }: ExchangeRequestMeasure): void {
    const labels = { exchange: label.exchange(exchange), endpoint: label.endpoint(endpoint) };
    this.exchangeRequests.inc({ ...labels, result: errorCode === undefined ? 'ok' : 'error' });
    this.exchangeDuration.observe(labels, seconds);
    if (errorCode !== undefined) this.exchangeErrors.inc({ ...labels, error_class: label.errorClass(errorCode) });
  }

  cacheLookup(key: string, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ cache: label.cache(key) });
  }

  tickEnded({ seconds, evaluationSeconds, endedAt }: TickMeasure): void {
    this.tickDuration.observe(seconds);
    this.tickEvaluation.observe(evaluationSeconds);
    this.lastTick.set(endedAt.getTime() / 1000);
  }

  notificationDelivery(channel: string, result: DeliveryResult): void {
    this.deliveries.inc({ channel: label.channel(channel), result });
  }

  // ---- what the monitoring context records itself ----

  httpRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method: label.method(method), route: route ?? UNMATCHED_ROUTE, status: label.status(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  order(outcome: OrderOutcome): void {
    this.orders.inc({
      exchange: label.exchange(outcome.exchange),
      side: label.side(outcome.side),
      type: label.orderType(outcome.type),
      purpose: label.purpose(outcome.purpose),
      result: outcome.result,
    });
  }

  stopAcknowledged(exchange: string, kind: string, seconds: number): void {
    this.stopLatency.observe({ exchange: label.exchange(exchange), kind: label.kind(kind) }, seconds);
  }

  logged(level: 'error' | 'warn'): void {
    this.loggedProblems.inc({ level });
  }

  spiking(active: boolean): void {
    this.spikeActive.set(active ? 1 : 0);
  }
}
