import { Injectable } from '@nestjs/common';
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
    modes: ['live', 'testnet', 'sim'],
    create: (o) => BinanceGateway.create(o),
  },
  upbit: { name: 'Upbit', capabilities: UPBIT_CAPABILITIES, modes: ['live', 'sim'], create: (o) => UpbitGateway.create(o) },
};

/** Builds the ccxt gateway of an exchange in a mode, pointed at the emulator for `sim`. */
@Injectable()
export class GatewayFactory {
  constructor(private readonly sim: SimEndpoint) {}

  create(exchange: ExchangeId, mode: AccountMode, credentials?: ApiCredentials): CcxtGateway {
    return ADAPTERS[exchange].create({ mode, credentials, simUrl: mode === 'sim' ? this.sim.require(exchange) : undefined });
  }

  /** The cache scope of an exchange's public data: the same for every account on one venue. */
  venueKey(exchange: ExchangeId, mode: AccountMode): string {
    if (mode === 'sim') return `${exchange}:sim:${this.sim.url ?? 'none'}`;
    return `${exchange}:${mode === 'testnet' ? 'testnet' : 'live'}`;
  }
}
