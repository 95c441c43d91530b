import { type Decimal, roundMoney, roundPercent } from '@tradedesk/shared';
import type { ExchangeAccount } from '../../domain/exchange-account.js';
import type { Balances, ExchangeCapabilities, Market, Ticker } from '../../domain/exchange-gateway.js';
import type { FeeComparison, Premium } from '../../application/market-data.service.js';
import { roundAveragePrice, roundPrice } from '../../domain/display-rounding.js';
import type { AccountResponse, BalanceEntryResponse } from './dto/account.dto.js';

const s = (value: Decimal | undefined): string | null => (value === undefined ? null : value.toFixed());

export function presentAccount(account: ExchangeAccount): AccountResponse {
  return {
    id: account.id,
    exchange: account.exchange,
    mode: account.mode,
    label: account.label,
    apiKey: account.apiKeyMasked,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

export function presentBalances(balances: Balances): BalanceEntryResponse[] {
  return Object.values(balances)
    .sort((a, b) => a.asset.localeCompare(b.asset))
    .map((b) => ({ asset: b.asset, free: b.free.toFixed(), locked: b.locked.toFixed(), total: b.total.toFixed() }));
}

export function presentCapabilities(capabilities: ExchangeCapabilities) {
  return {
    ...capabilities,
    minOrderValue: capabilities.minOrderValue
      ? { currency: capabilities.minOrderValue.currency, amount: capabilities.minOrderValue.amount.toFixed() }
      : null,
  };
}

export function presentMarket(m: Market) {
  return {
    symbol: m.symbol,
    exchangeSymbol: m.exchangeSymbol,
    base: m.base,
    quote: m.quote,
    active: m.active,
    amountStep: s(m.amountStep),
    priceStep: s(m.priceStep),
    priceStepRule: m.priceStep ? 'tick-size' : 'krw-price-table',
    minAmount: s(m.minAmount),
    maxAmount: s(m.maxAmount),
    minPrice: s(m.minPrice),
    maxPrice: s(m.maxPrice),
    minNotional: s(m.minNotional),
    maxNotional: s(m.maxNotional),
    makerFee: s(m.makerFee),
    takerFee: s(m.takerFee),
    caution: m.caution,
    cautionReasons: m.cautionReasons,
  };
}

export function presentTicker(t: Ticker) {
  return {
    symbol: t.symbol,
    last: t.last.toFixed(),
    bid: s(t.bid),
    ask: s(t.ask),
    high: s(t.high),
    low: s(t.low),
    baseVolume: s(t.baseVolume),
    quoteVolume: s(t.quoteVolume),
    percentage: s(t.percentage),
    timestamp: t.timestamp.toISOString(),
  };
}

const KRW_MARKET = { quote: 'KRW' } as const;
const money = (value: Decimal | undefined, currency: string): string | null => s(value && roundMoney(value, currency));

/** Figures for people (display-rounding.ts); `best` was chosen on the exact totals. */
export function presentFeeComparison(c: FeeComparison) {
  return {
    base: c.base,
    amount: c.amount.toFixed(),
    side: c.side,
    usdtKrw: s(c.usdtKrw && roundPrice(c.usdtKrw, KRW_MARKET)),
    venues: c.venues.map((v) => ({
      accountId: v.account.id,
      label: v.account.label,
      exchange: v.account.exchange,
      mode: v.account.mode,
      symbol: v.symbol,
      quote: v.quote,
      averagePrice: roundAveragePrice(v.averagePrice, v).toFixed(),
      feeRate: v.feeRate.toFixed(),
      fee: roundMoney(v.fee, v.quote).toFixed(),
      feeCurrency: v.quote,
      total: roundMoney(v.total, v.quote).toFixed(),
      totalKrw: money(v.totalKrw, 'KRW'),
      totalUsdt: money(v.totalUsdt, 'USDT'),
      depthSufficient: v.depthSufficient,
    })),
    best: c.best ?? null,
  };
}

export function presentPremium(p: Premium) {
  const upbitMarket = { quote: 'KRW', priceStep: p.upbit.priceStep };
  const binanceMarket = { quote: 'USDT', priceStep: p.binance.priceStep };
  return {
    base: p.base,
    upbit: { accountId: p.upbit.accountId, symbol: p.upbit.symbol, price: roundPrice(p.upbit.price, upbitMarket).toFixed() },
    binance: { accountId: p.binance.accountId, symbol: p.binance.symbol, price: roundPrice(p.binance.price, binanceMarket).toFixed() },
    usdtKrw: roundPrice(p.usdtKrw, KRW_MARKET).toFixed(),
    // Binance's price in KRW stands beside Upbit's: printed as a price of the Upbit market.
    binancePriceKrw: roundPrice(p.binancePriceKrw, upbitMarket).toFixed(),
    premiumPercent: roundPercent(p.premiumPercent).toFixed(),
    timestamp: p.timestamp.toISOString(),
  };
}
