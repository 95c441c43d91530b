// Exchanges context: accounts with encrypted keys, one gateway port over Binance and Upbit (ccxt), market data, local order rules, fees and premium.
export * from './domain/exchange-gateway.js';
export * from './domain/exchange.errors.js';
export * from './application/exchange-gateways.js';
export * from './exchanges.module.js';
