// The scripted trading session the backup suites take, restore or migrate, and what the API answers
// of it: compared before and after, it shows that nothing of a user's trading was lost or changed.
import type { TradingStack } from './trading-stack.js';

export interface ConditionBody {
  id: string;
  status: string;
  orderIds: string[];
}

/**
 * Positions as stored: quantity, entry, cost basis, realized PnL, fees. What follows the live
 * ticker (last price, market value, unrealized PnL, return) is left out: a restarted server reads
 * a fresh ticker where the one before may still have answered from its cache.
 */
const MARKET_FIELDS = new Set(['lastPrice', 'marketValue', 'unrealizedPnl', 'returnPercent']);
function withoutMarketPrice(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMarketPrice);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !MARKET_FIELDS.has(k))
      .map(([k, v]) => [k, withoutMarketPrice(v)]),
  );
}

/** Fills on both exchanges, one stop fired (Upbit), one stop left armed (Binance, trigger 48,000). */
export async function scriptedSession(s: TradingStack): Promise<{ fired: ConditionBody; armed: ConditionBody }> {
  await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.05' });
  await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '1400000' });
  const stop = async (accountId: string, symbol: string, triggerPrice: string, amount: string) =>
    (await s.api().post('/api/conditions').send({ kind: 'stop_loss', accountId, symbol, triggerPrice, amount }).expect(201))
      .body as ConditionBody;
  const fired = await stop(s.upbitAccountId, 'BTC/KRW', '68000000', '0.005');
  await s.setPrice('upbit', 'BTC/KRW', '67000000');
  await s.conditionInStatus(fired.id, 'DONE', 15_000);
  await s.setPrice('upbit', 'BTC/KRW', '70000000');
  const armed = await stop(s.binanceAccountId, 'BTC/USDT', '48000', '0.02');
  return { fired, armed };
}

/** What a user sees of their trading: every list the API answers, in a stable order (`extra` paths too). */
export async function whatTheApiAnswers(s: TradingStack, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const get = async (path: string) => (await s.api().get(path).expect(200)).body as unknown;
  const answers: Record<string, unknown> = {
    orders: await get('/api/orders?limit=100'),
    trades: await get('/api/trades?limit=100'),
    binancePositions: withoutMarketPrice(await get(`/api/positions?accountId=${s.binanceAccountId}`)),
    upbitPositions: withoutMarketPrice(await get(`/api/positions?accountId=${s.upbitAccountId}`)),
    conditions: await get('/api/conditions?limit=100'),
    accounts: await get('/api/accounts'),
  };
  for (const [name, path] of Object.entries(extra)) answers[name] = await get(path);
  return answers;
}
