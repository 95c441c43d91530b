import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, PrometheusServer, TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/prometheus/', import.meta.url));
const run = promisify(execFile);

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', `${DEPLOY}alerts.yml`]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});

describe.each(TEST_DRIVERS)("Debian's prometheus scraping tradedesk on %s with deploy/prometheus/prometheus.yml", (driver) => {
  let s: TradingStack;
  let prometheus: PrometheusServer;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    s = await startTradingStack(driver, { TICK_MS: '100', METRICS_PORT: String(metricsPort) });
    prometheus = await PrometheusServer.start(`${DEPLOY}prometheus.yml`, [`127.0.0.1:${metricsPort}`]);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await s?.close();
  });

  it('METRICS_PORT serves /metrics without a token on loopback, and nothing else', async () => {
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE tradedesk_orders_total counter');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/orders`)).status).toBe(404);
  });

  it('queries tradedesk_orders_total and the stop-latency histogram through the HTTP API', async () => {
    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.01' });
    const stop = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '48000' })
        .expect(201)
    ).body as { id: string };
    await s.setPrice('binance', 'BTC/USDT', '47000');
    await s.conditionInStatus(stop.id, 'DONE', 15_000);

    const value = async (promql: string) => (await prometheus.query(promql)).map((r) => Number(r.value[1])).reduce((a, b) => a + b, 0);
    // Scraped every second: the first scrape after the stop holds all of it.
    await expect
      .poll(() => value('tradedesk_stop_trigger_to_ack_seconds_count{exchange="binance",kind="stop_loss"}'), {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(1);
    const orders = await prometheus.query('tradedesk_orders_total{exchange="binance"}');
    const byPurpose = Object.fromEntries(
      orders.map((r) => [`${r.metric.side}/${r.metric.purpose}/${r.metric.result}`, Number(r.value[1])]),
    );
    expect(byPurpose).toEqual({
      'buy/manual/placed': 1,
      'buy/manual/filled': 1,
      'sell/liquidation/placed': 1,
      'sell/liquidation/filled': 1,
    });
    for (const r of orders) expect(r.metric).toMatchObject({ job: 'tradedesk', instance: `127.0.0.1:${metricsPort}`, type: 'market' });

    const p95 = await value('histogram_quantile(0.95, sum by (le) (tradedesk_stop_trigger_to_ack_seconds_bucket))');
    expect(p95).toBeGreaterThan(0);
    expect(p95).toBeLessThanOrEqual(30);

    const targets = await prometheus.api<{ activeTargets: Array<{ health: string; scrapeUrl: string }> }>('targets');
    expect(targets.activeTargets).toEqual([
      expect.objectContaining({ health: 'up', scrapeUrl: `http://127.0.0.1:${metricsPort}/metrics` }),
    ]);
    // The alert rules are loaded and evaluate without error against these series.
    const ruleHealth = async () =>
      (await prometheus.api<{ groups: Array<{ rules: Array<{ name: string; health: string }> }> }>('rules')).groups
        .flatMap((g) => g.rules)
        .map((r) => `${r.name}:${r.health}`)
        .toSorted((a, b) => a.localeCompare(b));
    await expect
      .poll(ruleHealth, { timeout: 10_000, interval: 250 })
      .toEqual(
        [
          'TradedeskDown',
          'TradedeskErrorSpike',
          'TradedeskExchangeDown',
          'TradedeskOutboxDeadLetters',
          'TradedeskOutboxLagging',
          'TradedeskSchedulerStalled',
          'TradedeskStopTriggerLatencyHigh',
          'TradedeskUnprotectedPositions',
        ].map((name) => `${name}:ok`),
      );
  }, 90_000);
});
