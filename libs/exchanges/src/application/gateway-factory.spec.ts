import { describe, expect, it } from 'vitest';
import { ExchangesConfig, PaperConfig, SimConfig } from '../exchanges.config.js';
import { GatewayFactory } from './gateway-factory.js';
import { SimEndpoint } from './sim-endpoint.js';

function factory(paperMarketDataUrl: string | undefined, simUrl: string | undefined): GatewayFactory {
  const endpoint = new SimEndpoint();
  endpoint.url = simUrl;
  return new GatewayFactory(endpoint, new ExchangesConfig(new SimConfig('on', 0, simUrl, 1), new PaperConfig(paperMarketDataUrl)));
}

describe('GatewayFactory: where paper accounts read public data', () => {
  it('PAPER_MARKET_DATA_URL first, even with the emulator running', () => {
    const sut = factory('http://127.0.0.1:7171', 'http://127.0.0.1:7070');
    expect(sut.paperMarketDataUrl()).toBe('http://127.0.0.1:7171');
    expect(sut.venueKey('upbit', 'paper')).toBe('upbit:paper:http://127.0.0.1:7171');
  });

  it('then the running sim-mode emulator', () => {
    const sut = factory(undefined, 'http://127.0.0.1:7070');
    expect(sut.paperMarketDataUrl()).toBe('http://127.0.0.1:7070');
    expect(sut.venueKey('binance', 'paper')).toBe('binance:paper:http://127.0.0.1:7070');
  });

  it('else the real exchange, sharing the live accounts’ cache', () => {
    const sut = factory(undefined, undefined);
    expect(sut.paperMarketDataUrl()).toBeUndefined();
    expect(sut.venueKey('binance', 'paper')).toBe(sut.venueKey('binance', 'live'));
  });
});
