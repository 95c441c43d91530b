import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

interface PreviewBody {
  warnings: Array<{ code: string; field?: string; message: string }>;
  executable: boolean;
}

describe.each(TEST_DRIVERS)("template preview: a market under Upbit's caution flag, against the emulator on %s", (driver) => {
  let s: TradingStack;
  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '200' });
    await s.setPrice('upbit', 'XRP/KRW', '840');
  });
  afterAll(async () => {
    await s?.close();
  });

  const flag = (symbol: string, notice: { warning?: boolean; cautions?: string[] }) =>
    s.control('POST', '/market-notice', { exchange: 'upbit', symbol, ...notice });
  const preview = async (templateId: string, overrides: Record<string, unknown> = {}) =>
    (await s.api().post(`/api/templates/${templateId}/preview`).send(overrides).expect(200)).body as PreviewBody;

  it('warns naming the market while Upbit flags it, still executes, and stops warning once the flag is lifted', async () => {
    const template = (
      await s
        .api()
        .post('/api/templates')
        .send({ name: 'xrp dip', exchange: 'upbit', symbol: 'XRP/KRW', side: 'buy', entry: { type: 'market' }, size: { cost: '10000' } })
        .expect(201)
    ).body as { id: string };
    // The app loaded Upbit's markets at start, unflagged: the preview reads the list again.
    expect((await preview(template.id)).warnings).toEqual([]);

    await flag('KRW-XRP', { warning: true, cautions: ['PRICE_FLUCTUATIONS'] });
    const flagged = await preview(template.id);
    expect(flagged.warnings).toEqual([
      {
        code: 'TEMPLATE.MARKET_UNDER_CAUTION',
        field: 'symbol',
        message: expect.stringMatching(/^symbol: XRP\/KRW is under Upbit's caution flag \(WARNING, PRICE_FLUCTUATIONS\)/),
      },
    ]);
    // A warning, not a refusal.
    expect(flagged.executable).toBe(true);
    // Only the flagged market: the same template on BTC/KRW is clear.
    expect((await preview(template.id, { symbol: 'BTC/KRW' })).warnings).toEqual([]);

    // Without exits, a filled entry is where the execution ends.
    const started = await s.api().post(`/api/templates/${template.id}/execute`).send({}).expect(201);
    await expect
      .poll(
        async () =>
          ((await s.api().get(`/api/templates/executions/${started.body.executionId}`).expect(200)).body as { status: string }).status,
        {
          timeout: 20_000,
          interval: 100,
        },
      )
      .toBe('entry_filled');
    const execution = (await s.api().get(`/api/templates/executions/${started.body.executionId}`).expect(200)).body as { orderId: string };
    const trades = (await s.api().get('/api/trades').query({ orderId: execution.orderId }).expect(200)).body as {
      items: Array<{ price: string }>;
    };
    expect(trades.items.length).toBeGreaterThan(0);
    expect(trades.items.every((t) => t.price === '840')).toBe(true);

    await flag('XRP/KRW', { warning: false, cautions: [] });
    const cleared = await preview(template.id);
    expect(cleared.warnings).toEqual([]);
    expect(cleared.executable).toBe(true);
  });
});
