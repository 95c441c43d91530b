import { ConfigError, EnvReader } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { MonitoringConfig } from './monitoring.config.js';

function refused(env: Record<string, string>): ConfigError {
  try {
    MonitoringConfig.fromEnv(new EnvReader(env, '/'));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('MonitoringConfig.fromEnv', () => {
  it('defaults: metrics on behind the token, loopback for METRICS_PORT, a spike at 20 errors in 5 minutes', () => {
    expect(MonitoringConfig.fromEnv(new EnvReader({}, '/'))).toEqual(
      new MonitoringConfig(
        true,
        undefined,
        '127.0.0.1',
        { tickMaxAgeSeconds: 30, outboxMaxLagSeconds: 60, exchangeDataMaxAgeSeconds: 60 },
        { threshold: 20, windowSeconds: 300 },
        1000,
      ),
    );
  });

  it('reads every variable', () => {
    const c = MonitoringConfig.fromEnv(
      new EnvReader(
        {
          METRICS: 'OFF',
          METRICS_PORT: '9464',
          METRICS_HOST: '0.0.0.0',
          ERROR_SPIKE_THRESHOLD: '5',
          ERROR_SPIKE_WINDOW_SECONDS: '60',
          HEALTH_TICK_MAX_AGE_SECONDS: '10',
          LOG_SLOW_REQUEST_MS: '250',
        },
        '/',
      ),
    );
    expect(c).toMatchObject({ metricsEnabled: false, metricsPort: 9464, metricsHost: '0.0.0.0', slowRequestMs: 250 });
    expect(c.errorSpike).toEqual({ threshold: 5, windowSeconds: 60 });
    expect(c.health.tickMaxAgeSeconds).toBe(10);
  });

  it.each([
    [{ METRICS: 'maybe' }, 'METRICS'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
    [{ METRICS_PORT: 'nine' }, 'METRICS_PORT'],
    [{ METRICS_HOST: 'host name; rm' }, 'METRICS_HOST'],
    [{ ERROR_SPIKE_THRESHOLD: '0' }, 'ERROR_SPIKE_THRESHOLD'],
    [{ HEALTH_OUTBOX_MAX_LAG_SECONDS: '-1' }, 'HEALTH_OUTBOX_MAX_LAG_SECONDS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(refused(env).message).toContain(variable);
  });
});
