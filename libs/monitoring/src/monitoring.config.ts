import { ConfigError, type EnvReader } from '@tradedesk/shared';

/** Ages and lags above which a component of /api/health is `down`. */
export interface HealthThresholds {
  /** The condition scheduler's last tick (HEALTH_TICK_MAX_AGE_SECONDS). */
  tickMaxAgeSeconds: number;
  /** The oldest due outbox message not yet handled (HEALTH_OUTBOX_MAX_LAG_SECONDS). */
  outboxMaxLagSeconds: number;
  /** The last price read from an exchange the scheduler reads (HEALTH_EXCHANGE_DATA_MAX_AGE_SECONDS). */
  exchangeDataMaxAgeSeconds: number;
}

/** An error spike: at least `threshold` errors within `windowSeconds`; resolved once the window holds fewer than half as many. */
export interface ErrorSpikeSettings {
  threshold: number;
  windowSeconds: number;
}

/** The monitoring context's configuration namespace (METRICS*, HEALTH_*, ERROR_SPIKE_*, LOG_SLOW_REQUEST_MS). */
export class MonitoringConfig {
  constructor(
    /** METRICS=off: nothing is measured and /metrics answers 404 (the bench's baseline). */
    readonly metricsEnabled: boolean,
    /** A second listener serving /metrics without a token (METRICS_PORT), on `metricsHost`. */
    readonly metricsPort: number | undefined,
    readonly metricsHost: string,
    readonly health: HealthThresholds,
    readonly errorSpike: ErrorSpikeSettings,
    /** Requests slower than this are logged (info, context HttpRequests) for GET /api/logs/summary. */
    readonly slowRequestMs: number,
  ) {}

  static fromEnv(env: EnvReader): MonitoringConfig {
    const metrics = (env.text('METRICS') ?? 'on').toLowerCase();
    if (metrics !== 'on' && metrics !== 'off') throw new ConfigError('METRICS', `must be on or off (got "${metrics}")`);
    const port = env.text('METRICS_PORT') === undefined ? undefined : env.int('METRICS_PORT', 0, 1, 65535);
    const host = env.text('METRICS_HOST') ?? '127.0.0.1';
    if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new ConfigError('METRICS_HOST', `must be a host name or IP address (got "${host}")`);
    return new MonitoringConfig(
      metrics === 'on',
      port,
      host,
      {
        tickMaxAgeSeconds: env.int('HEALTH_TICK_MAX_AGE_SECONDS', 30, 1, 86_400),
        outboxMaxLagSeconds: env.int('HEALTH_OUTBOX_MAX_LAG_SECONDS', 60, 1, 86_400),
        exchangeDataMaxAgeSeconds: env.int('HEALTH_EXCHANGE_DATA_MAX_AGE_SECONDS', 60, 1, 86_400),
      },
      {
        threshold: env.int('ERROR_SPIKE_THRESHOLD', 20, 1, 1_000_000),
        windowSeconds: env.int('ERROR_SPIKE_WINDOW_SECONDS', 300, 1, 86_400),
      },
      env.int('LOG_SLOW_REQUEST_MS', 1000, 1, 3_600_000),
    );
  }
}
