// Exchanges context: accounts with encrypted keys, one gateway port over Binance and Upbit (ccxt; paper accounts simulated on live prices), market data, local order rules, fees and premium.
export * from './domain/exchange-gateway.js';
export * from './domain/exchange.errors.js';
export * from './domain/exchange.events.js';
export { normalizeOrder, formatMoney, type OrderRuleContext } from './domain/order-rules.js';
export { krwPriceStep, roundToKrwPriceStep, isOnKrwPriceStep, UPBIT_KRW_PRICE_STEPS } from './domain/krw-price-steps.js';
export { priceStepAt, snapToPriceGrid } from './domain/price-grid.js';
export { roundPrice, roundAveragePrice, priceDecimals } from './domain/display-rounding.js';
export * from './application/exchange-gateways.js';
export * from './exchanges.module.js';
export { ExchangesConfig, PaperConfig, SimConfig, type SimSwitch } from './exchanges.config.js';
export {
  EmbeddedExchangeSim,
  type EmbeddedExchangeSimOptions,
  type RunningEmbeddedExchangeSim,
} from './application/embedded-exchange-sim.js';
export {
  masterKeyId,
  MasterKeyMismatchError,
  type MasterKeyRotation,
  reencryptExchangeSecrets,
  sealedKeyIds,
} from './application/master-key-rotation.js';

import { ExchangeAccountOrmEntity } from './infrastructure/persistence/exchange-account.orm-entity.js';
import { PaperAccountOrmEntity } from './infrastructure/persistence/paper-account.orm-entity.js';
import { PaperBalanceOrmEntity } from './infrastructure/persistence/paper-balance.orm-entity.js';
import { PaperOrderOrmEntity } from './infrastructure/persistence/paper-order.orm-entity.js';
import { PaperTradeOrmEntity } from './infrastructure/persistence/paper-trade.orm-entity.js';

/** Tables owned by the exchanges context (for the persistence schema). */
export const exchangesEntities = [
  ExchangeAccountOrmEntity,
  PaperAccountOrmEntity,
  PaperBalanceOrmEntity,
  PaperOrderOrmEntity,
  PaperTradeOrmEntity,
];
