import type { Decimal } from '@tradedesk/shared';
import type { TrailingSpec } from '../../domain/trailing.js';
import { leavesOf, type WhenNode } from '../../domain/when-tree.js';
import type { ConditionOrmEntity } from '../../infrastructure/persistence/condition.orm-entity.js';
import type { Held } from './engine-state.js';

/** What the engine keeps in memory of an ARMED row. */
export function heldOf(row: ConditionOrmEntity, atStart: boolean): Held {
  return {
    id: row.id,
    version: row.version,
    firings: row.firings,
    kind: row.kind,
    accountId: row.accountId,
    exchange: row.exchange,
    symbol: row.symbol,
    onDowntime: row.onDowntime,
    armedAt: row.armedAt,
    loadedAtStart: atStart,
    ...(row.expiresAt ? { expiresAt: row.expiresAt.getTime() } : {}),
  };
}

export function trailingOf(row: ConditionOrmEntity, high: Decimal | null): TrailingSpec & { highWaterMark?: Decimal } {
  return {
    ...(row.trailPercent ? { trailPercent: row.trailPercent } : {}),
    ...(row.trailAmount ? { trailAmount: row.trailAmount } : {}),
    ...(row.activationPrice ? { activationPrice: row.activationPrice } : {}),
    ...(high ? { highWaterMark: high } : {}),
  };
}

/**
 * The markets a conditional's leaves read, through which account: a leaf on the condition's own
 * exchange reads through its own account (as arming checked it), another exchange's through the
 * first account of that exchange; a premium reads Upbit's KRW and USDT/KRW and Binance's USDT market.
 */
export function conditionalMarkets(
  when: WhenNode,
  row: ConditionOrmEntity,
  accountsByExchange: Map<string, string>,
): NonNullable<Held['markets']> {
  const markets: NonNullable<Held['markets']> = [];
  const actionSymbol = (JSON.parse(row.action!) as { symbol: string }).symbol;
  for (const leaf of leavesOf(when)) {
    if ('price' in leaf || 'change' in leaf) {
      const ref = 'price' in leaf ? leaf.price : leaf.change;
      const accountId = ref.exchange && ref.exchange !== row.exchange ? accountsByExchange.get(ref.exchange) : row.accountId;
      if (accountId)
        markets.push({
          accountId,
          symbol: ref.symbol ?? actionSymbol,
          source: ref.source,
          leafKey: `${ref.exchange ?? ''}|${ref.symbol ?? ''}`,
        });
    }
    if ('premium' in leaf) markets.push(...premiumMarkets(leaf.premium.base, accountsByExchange));
  }
  return markets;
}

/** A premium leaf reads Upbit's KRW market and USDT/KRW, and Binance's USDT market (nothing without both exchanges). */
function premiumMarkets(base: string, accountsByExchange: Map<string, string>): NonNullable<Held['markets']> {
  const upbit = accountsByExchange.get('upbit');
  const binance = accountsByExchange.get('binance');
  if (!upbit || !binance) return [];
  const leafKey = `premium ${base}`;
  return [
    { accountId: upbit, symbol: `${base}/KRW`, source: 'last', leafKey },
    { accountId: upbit, symbol: 'USDT/KRW', source: 'last', leafKey },
    { accountId: binance, symbol: `${base}/USDT`, source: 'last', leafKey },
  ];
}
