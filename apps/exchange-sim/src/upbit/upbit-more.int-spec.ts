import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELAXED_RATE_LIMITS, type SimHarness, startSimHarness } from '../../../../test/support/sim-harness.js';
import { byCodeUnits } from '../core/code-unit-order.js';

describe('Upbit: more order flows and quotation routes', () => {
  let fx: SimHarness;
  let ex: Exchange;
  let raw: Record<string, (p: Record<string, unknown>) => Promise<unknown>>;

  beforeAll(async () => {
    fx = await startSimHarness({ rateLimits: RELAXED_RATE_LIMITS });
    ex = fx.upbit();
    raw = ex;
    await ex.loadMarkets();
  });
  afterAll(() => fx.close());
  beforeEach(async () => {
    await fx.control('POST', '/reset');
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'BTC/KRW', price: '90000000' });
  });

  it('places best orders (ioc) on both sides', async () => {
    const buy = await ex.createOrder('BTC/KRW', 'market', 'buy', undefined as unknown as number, undefined, {
      cost: 50000,
      ordType: 'best',
      timeInForce: 'ioc',
    });
    expect(buy.filled).toBeGreaterThan(0);
    const sell = await ex.createOrder('BTC/KRW', 'market', 'sell', 0.001, undefined, { ordType: 'best', timeInForce: 'ioc' });
    expect(sell.status).toBe('closed');
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'bid', ord_type: 'best', price: '50000' })).rejects.toThrow(
      /time_in_force/,
    );
  });

  it('lists open orders of every market and looks orders up by uuids and identifiers', async () => {
    const a = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 80000000, { clientOrderId: 'u-a' });
    await fx.control('POST', '/price', { exchange: 'upbit', symbol: 'ETH/KRW', price: '4000000' });
    const b = await ex.createOrder('ETH/KRW', 'limit', 'buy', 0.01, 3000000, { clientOrderId: 'u-b' });
    const open = await ex.fetchOpenOrders();
    expect(open.map((o) => String(o.id)).sort(byCodeUnits)).toEqual([String(a.id), String(b.id)].sort(byCodeUnits));
    const found = (await raw.privateGetOrdersUuids({ market: 'KRW-BTC', uuids: [a.id], identifiers: ['u-b'] })) as Array<{ uuid: string }>;
    expect(found.map((o) => o.uuid).sort(byCodeUnits)).toEqual([String(a.id), String(b.id)].sort(byCodeUnits));
    const byIdentifier = ex.parseOrder((await raw.privateDeleteOrder({ identifier: 'u-b' })) as Record<string, unknown>);
    expect(byIdentifier.status).toBe('canceled');
    await expect(raw.privateGetOrder({})).rejects.toThrow(/uuid or identifier/);
    await expect(raw.privateGetOrdersOpen({ state: 'done' })).rejects.toThrow(/state/);
  });

  it('validates order bodies as Upbit does', async () => {
    await expect(
      raw.privatePostOrders({ market: 'KRW-NOPE', side: 'bid', ord_type: 'limit', price: '1000', volume: '10' }),
    ).rejects.toThrow(/market/);
    await expect(
      raw.privatePostOrders({ market: 'KRW-BTC', side: 'up', ord_type: 'limit', price: '1000', volume: '10' }),
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'bid', ord_type: 'fancy' })).rejects.toThrow(/ord_type/);
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '4000' })).rejects.toThrow(
      /under_min_total_bid/,
    );
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.00001' })).rejects.toThrow(
      /under_min_total_ask/,
    );
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'ask', ord_type: 'price', price: '10000' })).rejects.toThrow(/bids only/);
    await expect(raw.privatePostOrders({ market: 'KRW-BTC', side: 'bid', ord_type: 'market', volume: '1' })).rejects.toThrow(/asks only/);
    await expect(
      raw.privatePostOrders({
        market: 'KRW-BTC',
        side: 'bid',
        ord_type: 'limit',
        price: '95000000',
        volume: '0.001',
        time_in_force: 'post_only',
      }),
    ).rejects.toThrow(/post_only/);
    await expect(
      raw.privatePostOrders({ market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '1000', volume: '0.000000001' }),
    ).rejects.toThrow(/volume/);
  });

  it('serves all tickers, instruments with the tick size, and closed orders filtered by state', async () => {
    const all = (await raw.publicGetTickerAll({ quote_currencies: 'KRW' })) as unknown[];
    expect(all.length).toBeGreaterThanOrEqual(7);
    const instruments = (await raw.publicGetOrderbookInstruments({ markets: 'KRW-BTC' })) as Array<{ tick_size: string }>;
    expect(instruments[0].tick_size).toBe('1000');
    await expect(raw.publicGetTicker({ markets: 'KRW-NOPE' })).rejects.toThrow();
    await ex.createOrder('BTC/KRW', 'market', 'sell', 0.001);
    const sold = await ex.fetchClosedOrders('BTC/KRW', undefined, 10);
    expect(sold).toHaveLength(1);
    expect(await ex.fetchCanceledOrders('BTC/KRW')).toEqual([]);
  });
});
