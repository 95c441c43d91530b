import { Injectable, Optional } from '@nestjs/common';
import { MetricsPort } from '@tradedesk/shared';
import type { ApiCredentials } from '../domain/exchange-account.js';
import type { AccountMode, ExchangeCapabilities, ExchangeId } from '../domain/exchange-gateway.js';
import { BINANCE_CAPABILITIES, BinanceGateway } from '../infrastructure/ccxt/binance.gateway.js';
import type { CallObserver, CcxtGateway, CcxtGatewayOptions } from '../infrastructure/ccxt/ccxt-gateway.js';
import { UPBIT_CAPABILITIES, UpbitGateway } from '../infrastructure/ccxt/upbit.gateway.js';
import { SimEndpoint } from './sim-endpoint.js';
import { ExchangesConfig } from '../exchanges.config.js';

interface Adapter {
  /** Display name. */
  name: string;
  capabilities: ExchangeCapabilities;
  modes: AccountMode[];
  create(options: CcxtGatewayOptions): CcxtGateway;
}

/** One entry per supported exchange: adding a ccxt exchange is one adapter class and one line here. */
export const ADAPTERS: Record<ExchangeId, Adapter> = {
  binance: {
    name: 'Binance',
    capabilities: BINANCE_CAPABILITIES,
    modes: ['live', 'testnet', 'paper', 'sim'],
    create: (o) => BinanceGateway.create(o),
  },
  upbit: { name: 'Upbit', capabilities: UPBIT_CAPABILITIES, modes: ['live', 'paper', 'sim'], create: (o) => UpbitGateway.create(o) },
};

/**
 * Builds the ccxt gateway of an exchange in a mode: pointed at the emulator for `sim`; for `paper`
 * the public side only — no keys, so it cannot sign anything — at PAPER_MARKET_DATA_URL, else at
 * the running emulator, else at the real exchange.
 */
@Injectable()
export class GatewayFactory {
  constructor(
    private readonly sim: SimEndpoint,
    private readonly config: ExchangesConfig,
    @Optional() private readonly metrics?: MetricsPort,
  ) {}

  create(exchange: ExchangeId, mode: AccountMode, credentials?: ApiCredentials, observer?: CallObserver): CcxtGateway {
    const metrics = this.metrics;
    if (mode === 'paper') return ADAPTERS[exchange].create({ mode, simUrl: this.paperMarketDataUrl(), observer, metrics });
    return ADAPTERS[exchange].create({
      mode,
      credentials,
      simUrl: mode === 'sim' ? this.sim.require(exchange) : undefined,
      observer,
      metrics,
    });
  }

  /** The cache scope of an exchange's public data: the same for every account on one venue. */
  venueKey(exchange: ExchangeId, mode: AccountMode): string {
    if (mode === 'sim') return `${exchange}:sim:${this.sim.url ?? 'none'}`;
    // Paper accounts on the real exchange share its public data with live accounts.
    const paperUrl = mode === 'paper' ? this.paperMarketDataUrl() : undefined;
    if (paperUrl) return `${exchange}:paper:${paperUrl}`;
    return `${exchange}:${mode === 'testnet' ? 'testnet' : 'live'}`;
  }

  /**
   * Where paper accounts read public data; undefined = the real exchange. With sim mode on, an
   * install that has never held real keys rehearses against the emulator it is already running,
   * and SIM=auto keeps that emulator on until a live or testnet account exists.
   */
  paperMarketDataUrl(): string | undefined {
    return this.config.paper.marketDataUrl ?? this.sim.url;
  }
}
