import { Injectable } from '@nestjs/common';
import { PaperConfig } from '@tradedesk/shared';
import type { ApiCredentials } from '../domain/exchange-account.js';
import type { AccountMode, ExchangeCapabilities, ExchangeId } from '../domain/exchange-gateway.js';
import { BINANCE_CAPABILITIES, BinanceGateway } from '../infrastructure/ccxt/binance.gateway.js';
import type { CcxtGateway, CcxtGatewayOptions } from '../infrastructure/ccxt/ccxt-gateway.js';
import { UPBIT_CAPABILITIES, UpbitGateway } from '../infrastructure/ccxt/upbit.gateway.js';
import { SimEndpoint } from './sim-endpoint.js';

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
 * the public side only — no keys, so it cannot sign anything — at the real exchange or at
 * PAPER_MARKET_DATA_URL.
 */
@Injectable()
export class GatewayFactory {
  constructor(
    private readonly sim: SimEndpoint,
    private readonly paper: PaperConfig,
  ) {}

  create(exchange: ExchangeId, mode: AccountMode, credentials?: ApiCredentials): CcxtGateway {
    if (mode === 'paper') return ADAPTERS[exchange].create({ mode, simUrl: this.paper.marketDataUrl });
    return ADAPTERS[exchange].create({ mode, credentials, simUrl: mode === 'sim' ? this.sim.require(exchange) : undefined });
  }

  /** The cache scope of an exchange's public data: the same for every account on one venue. */
  venueKey(exchange: ExchangeId, mode: AccountMode): string {
    if (mode === 'sim') return `${exchange}:sim:${this.sim.url ?? 'none'}`;
    // Paper accounts read the live exchange's prices: they share them with live accounts unless pointed elsewhere.
    if (mode === 'paper' && this.paper.marketDataUrl) return `${exchange}:paper:${this.paper.marketDataUrl}`;
    return `${exchange}:${mode === 'testnet' ? 'testnet' : 'live'}`;
  }
}
