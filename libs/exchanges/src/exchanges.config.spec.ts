import { AppConfig, ConfigError } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { ExchangesConfig } from './exchanges.config.js';

const read = (env: Record<string, string>) => AppConfig.fromEnv(env, '/srv/td', [ExchangesConfig]).get(ExchangesConfig);

describe('ExchangesConfig', () => {
  it('has the defaults of api.md', () => {
    const c = read({});
    expect(c.sim).toMatchObject({ mode: 'auto', port: 7070, url: undefined, seed: 42 });
    expect(c.paper.marketDataUrl).toBeUndefined();
  });

  it('reads sim mode and the paper market data URL', () => {
    const c = read({
      SIM: 'OFF',
      SIM_URL: 'http://127.0.0.1:7070/',
      SIM_PORT: '7171',
      SIM_SEED: '7',
      PAPER_MARKET_DATA_URL: 'http://127.0.0.1:7171/',
    });
    expect(c.sim).toMatchObject({ mode: 'off', port: 7171, url: 'http://127.0.0.1:7070', seed: 7 });
    expect(c.paper.marketDataUrl).toBe('http://127.0.0.1:7171');
    expect(read({ SIM: '1' }).sim.mode).toBe('on');
  });

  it.each([
    [{ SIM: 'maybe' }, 'SIM', /on, off or auto/],
    [{ SIM_URL: 'ftp://x' }, 'SIM_URL', /http/],
    [{ SIM_PORT: '70000' }, 'SIM_PORT', /65535/],
    [{ PAPER_MARKET_DATA_URL: 'api.binance.com' }, 'PAPER_MARKET_DATA_URL', /http/],
  ])('rejects %j naming the variable', (env, variable, problem) => {
    let error: unknown;
    try {
      read(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    expect((error as ConfigError).message).toMatch(problem);
  });
});
