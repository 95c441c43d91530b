import { type Decimal, ZERO } from '@tradedesk/shared';
import type { Balances } from './exchange-gateway.js';

export interface HeldAsset {
  asset: string;
  free: Decimal;
  locked: Decimal;
  total: Decimal;
  /** Last price of `<asset>/<quote>` (1 for the quote itself); undefined when the exchange lists no such market. */
  price?: Decimal;
  /** total × price, in the account's quote currency. */
  value?: Decimal;
}

export interface AccountValuation {
  quote: string;
  assets: HeldAsset[];
  /** The sum of the valued assets, in `quote`. */
  value: Decimal;
  /** Assets held without a market against `quote`: in no total. */
  unvalued: string[];
}

/**
 * An account's balances valued in its quote currency (USDT on Binance, KRW on Upbit): the quote at
 * face value, every other asset at the last price of its market against the quote. Coins of an
 * asset the exchange lists no such market for are shown but valued at nothing, and named.
 */
export function valueBalances(balances: Balances, quote: string, lastPrices: ReadonlyMap<string, Decimal>): AccountValuation {
  const assets: HeldAsset[] = [];
  const unvalued: string[] = [];
  let value = ZERO;
  for (const balance of Object.values(balances).sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0))) {
    const price = balance.asset === quote ? undefined : lastPrices.get(balance.asset);
    const held: HeldAsset = { ...balance };
    if (balance.asset === quote) held.value = balance.total;
    else if (price) Object.assign(held, { price, value: balance.total.times(price) });
    else unvalued.push(balance.asset);
    if (held.value) value = value.plus(held.value);
    assets.push(held);
  }
  return { quote, assets, value, unvalued };
}
