import { Module } from '@nestjs/common';
import { AccountSecrets } from './application/account-secrets.js';
import { AccountsService } from './application/accounts.service.js';
import { ExchangeGateways } from './application/exchange-gateways.js';
import { ExchangeGatewaysService } from './application/exchange-gateways.service.js';
import { ExchangeHealthContributor } from './application/exchange-health.contributor.js';
import { ExchangesBootstrap } from './application/exchanges-bootstrap.service.js';
import { GatewayFactory } from './application/gateway-factory.js';
import { MarketCandlesService } from './application/market-candles.js';
import { MarketDataService } from './application/market-data.service.js';
import { PaperExchange } from './application/paper/paper-exchange.js';
import { PortfolioService } from './application/portfolio.js';
import { SimEndpoint } from './application/sim-endpoint.js';
import { ExchangeAccountRepository } from './infrastructure/persistence/exchange-account.repository.js';
import { PaperLedgerRepository } from './infrastructure/persistence/paper-ledger.repository.js';
import { AccountsController } from './interface/http/accounts.controller.js';
import { CandlesController } from './interface/http/candles.controller.js';
import { MarketDataController } from './interface/http/market-data.controller.js';
import { PortfolioController } from './interface/http/portfolio.controller.js';

/** Exchange accounts, gateways to Binance and Upbit (live, testnet, paper, sim), market data, fees and premium. */
@Module({
  controllers: [AccountsController, MarketDataController, CandlesController, PortfolioController],
  providers: [
    SimEndpoint,
    GatewayFactory,
    AccountSecrets,
    ExchangeAccountRepository,
    PaperLedgerRepository,
    PaperExchange,
    ExchangeGatewaysService,
    { provide: ExchangeGateways, useExisting: ExchangeGatewaysService },
    AccountsService,
    MarketDataService,
    MarketCandlesService,
    PortfolioService,
    ExchangeHealthContributor,
    ExchangesBootstrap,
  ],
  exports: [ExchangeGateways],
})
export class ExchangesModule {}
