import { dec, type Decimal, ValidationError } from '@tradedesk/shared';
import type { ExchangeId, Market } from '../exchange-gateway.js';

/**
 * What a paper account holds when it is opened without `paperBalances`: the quote currency only,
 * as much as the sim accounts start with — a freshly funded account, no coins yet.
 */
export const PAPER_DEFAULT_BALANCES: Record<ExchangeId, Record<string, string>> = {
  binance: { USDT: '10000' },
  upbit: { KRW: '10000000' },
};

const ASSET = /^[A-Z0-9]{1,20}$/;
const AMOUNT = /^\d{1,18}(\.\d{1,18})?$/;
const MAX_ASSETS = 50;

function invalid(field: string, message: string): ValidationError {
  return new ValidationError('ACCOUNT.PAPER_BALANCES_INVALID', `${field}: ${message}`, { field });
}

/**
 * The starting balances of a new paper account, checked: asset codes as the exchange writes them,
 * non-negative decimal strings that fit the database's numeric(36,18), at least one above zero.
 */
export function paperStartingBalances(exchange: ExchangeId, given: Record<string, unknown> | undefined): Record<string, Decimal> {
  const source = given ?? PAPER_DEFAULT_BALANCES[exchange];
  const entries = Object.entries(source);
  if (entries.length > MAX_ASSETS) throw invalid('paperBalances', `at most ${MAX_ASSETS} assets`);
  const out: Record<string, Decimal> = {};
  for (const [rawAsset, rawAmount] of entries) {
    const asset = rawAsset.toUpperCase();
    const field = `paperBalances.${rawAsset}`;
    if (!ASSET.test(asset)) throw invalid(field, 'an asset code of letters and digits, e.g. USDT, KRW or BTC');
    if (typeof rawAmount !== 'string' || !AMOUNT.test(rawAmount))
      throw invalid(field, 'a decimal string ≥ 0 with at most 18 digits before and after the point, e.g. "10000"');
    if (out[asset]) throw invalid(field, `${asset} is given twice`);
    out[asset] = dec(rawAmount);
  }
  if (!Object.values(out).some((amount) => amount.greaterThan(0)))
    throw invalid('paperBalances', 'give at least one asset an amount above zero');
  return out;
}

/** Every starting asset must trade on the exchange (the base or quote of one of its spot markets). */
export function checkPaperAssets(exchange: ExchangeId, balances: Record<string, Decimal>, markets: Market[]): void {
  const traded = new Set(markets.flatMap((m) => [m.base, m.quote]));
  for (const asset of Object.keys(balances)) {
    if (!traded.has(asset))
      throw new ValidationError('ACCOUNT.PAPER_UNKNOWN_ASSET', `paperBalances.${asset}: ${exchange} has no spot market in ${asset}`, {
        field: `paperBalances.${asset}`,
        exchange,
      });
  }
}
