import { Agent, request as httpRequest } from 'node:http';
import { TEST_DRIVERS } from '@tradedesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSamples, promtoolCheckMetrics, type Sample, seriesKeys, total } from '../../support/prometheus-text.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

/** prom-client's default process metrics name three gauges `_total`; promtool's lint says so. Nothing else may be flagged. */
const PROM_CLIENT_DEFAULT_GAUGES =
  /^tradedesk_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

const UNKNOWN_PATHS = 10_000;

describe.each(TEST_DRIVERS)('GET /metrics on %s after a scripted session against the emulator', (driver) => {
  let s: TradingStack;

  beforeAll(async () => {
    s = await startTradingStack(driver, { TICK_MS: '100' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const response = await s.api().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: response.text, samples: parseSamples(response.text) };
  };

  it('needs the bearer token', async () => {
    const response = await fetch(`${s.app.url}/metrics`);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('tradedesk_');
  });

  it('orders on both exchanges, a fired stop and an exchange fault move the counters and histograms by exactly that much', async () => {
    const before = await scrape();
    const moved = (after: Sample[], name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before.samples, name, labels);

    await s.buyAtMarket({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', amount: '0.01' });
    await s.buyAtMarket({ accountId: s.upbitAccountId, symbol: 'BTC/KRW', cost: '700000' });
    const stop = (
      await s
        .api()
        .post('/api/conditions')
        .send({ kind: 'stop_loss', accountId: s.binanceAccountId, symbol: 'BTC/USDT', triggerPrice: '48000' })
        .expect(201)
    ).body as { id: string };
    // The scheduler now watches Binance: its prices' age is reported (and kept fresh by the ticks).
    await expect
      .poll(async () =>
        (await scrape()).samples.some((x) => x.name === 'tradedesk_exchange_data_age_seconds' && x.labels.exchange === 'binance'),
      )
      .toBe(true);
    const armed = (await scrape()).samples;
    expect(total(armed, 'tradedesk_exchange_data_age_seconds', { exchange: 'binance' })).toBeLessThan(5);
    expect(armed.filter((x) => x.name === 'tradedesk_exchange_data_age_seconds').map((x) => x.labels.exchange)).toEqual(['binance']);
    expect(total(armed, 'tradedesk_conditions_armed', { kind: 'stop_loss' })).toBe(1);
    expect(total(armed, 'tradedesk_conditions_armed')).toBe(1);
    // The Upbit position has no stop; the Binance one has.
    expect(total(armed, 'tradedesk_unprotected_positions')).toBe(1);
    await s.setPrice('binance', 'BTC/USDT', '47000');
    await s.conditionInStatus(stop.id, 'DONE', 15_000);
    // One Upbit ticker request answered 503: the read is retried and succeeds, the failure is counted once.
    // (The scrapes above read no price: were they to, the cached ticker would leave the fault unapplied.)
    await s.control('POST', '/faults', { exchange: 'upbit', endpoint: '/v1/ticker', status: 503, count: 1 });
    await s.api().get('/api/tickers').query({ accountId: s.upbitAccountId, symbols: 'BTC/KRW' }).expect(200);
    expect((await s.control<{ faults: unknown[] }>('GET', '/faults')).faults).toEqual([]);

    // The stop's exit is filled by the time the condition is DONE; its acknowledgement is counted from the same events.
    let after: Sample[] = [];
    await expect
      .poll(async () => {
        after = (await scrape()).samples;
        return moved(after, 'tradedesk_stop_trigger_to_ack_seconds_count');
      })
      .toBe(1);
    const order = (exchange: string, side: string, purpose: string, result: string) =>
      moved(after, 'tradedesk_orders_total', { exchange, side, type: 'market', purpose, result });
    expect(order('binance', 'buy', 'manual', 'placed')).toBe(1);
    expect(order('binance', 'buy', 'manual', 'filled')).toBe(1);
    expect(order('upbit', 'buy', 'manual', 'placed')).toBe(1);
    expect(order('upbit', 'buy', 'manual', 'filled')).toBe(1);
    expect(order('binance', 'sell', 'liquidation', 'placed')).toBe(1);
    expect(order('binance', 'sell', 'liquidation', 'filled')).toBe(1);
    expect(moved(after, 'tradedesk_orders_total')).toBe(6);

    const latency = { exchange: 'binance', kind: 'stop_loss' };
    expect(moved(after, 'tradedesk_stop_trigger_to_ack_seconds_count', latency)).toBe(1);
    const seconds = moved(after, 'tradedesk_stop_trigger_to_ack_seconds_sum', latency);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(15);
    expect(moved(after, 'tradedesk_stop_trigger_to_ack_seconds_bucket', { ...latency, le: '+Inf' })).toBe(1);

    expect(moved(after, 'tradedesk_exchange_errors_total', { exchange: 'upbit', error_class: 'unavailable' })).toBe(1);
    expect(moved(after, 'tradedesk_exchange_errors_total', { exchange: 'upbit' })).toBe(1);
    expect(moved(after, 'tradedesk_exchange_errors_total', { exchange: 'binance' })).toBe(0);
    expect(moved(after, 'tradedesk_exchange_requests_total', { exchange: 'upbit', result: 'error' })).toBe(1);
    for (const exchange of ['binance', 'upbit'])
      expect(moved(after, 'tradedesk_exchange_requests_total', { exchange, endpoint: 'createOrder', result: 'ok' })).toBe(
        exchange === 'binance' ? 2 : 1,
      );
    // Every request is timed once, failed or not.
    expect(moved(after, 'tradedesk_exchange_request_duration_seconds_count')).toBe(moved(after, 'tradedesk_exchange_requests_total'));

    expect(moved(after, 'tradedesk_http_requests_total', { method: 'POST', route: '/api/orders', status: '201' })).toBe(2);
    expect(moved(after, 'tradedesk_http_requests_total', { method: 'POST', route: '/api/conditions', status: '201' })).toBe(1);
    expect(moved(after, 'tradedesk_http_request_duration_seconds_count', { method: 'POST', route: '/api/orders' })).toBe(2);
    expect(total(after, 'tradedesk_tick_duration_seconds_count')).toBeGreaterThan(0);
    expect(total(after, 'tradedesk_tick_evaluation_seconds_count')).toBe(total(after, 'tradedesk_tick_duration_seconds_count'));
    expect(total(after, 'tradedesk_unprotected_positions')).toBe(1);
    // Nothing watches a market any more: no exchange's price age is kept (no stale-data alert for an idle exchange).
    await expect.poll(async () => (await scrape()).samples.filter((x) => x.name === 'tradedesk_exchange_data_age_seconds').length).toBe(0);
    expect(total(after, 'tradedesk_conditions_armed')).toBe(0);
    expect(total(after, 'tradedesk_rate_governor_queue_depth')).toBe(0);
    expect(total(after, 'tradedesk_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    expect(total(after, 'tradedesk_process_resident_memory_bytes')).toBeGreaterThan(0);
  }, 60_000);

  it('reports the newest verified backup’s end and verification times', async () => {
    const started = (await s.api().post('/api/backups').send({}).expect(202)).body as { id: string };
    type Backup = { status: string; finishedAt: string | null; verification: { verifiedAt: string } | null };
    const read = async () => (await s.api().get(`/api/backups/${started.id}`).expect(200)).body as Backup;
    await expect.poll(async () => (await read()).status, { timeout: 30_000, interval: 200 }).toBe('verified');
    const backup = await read();
    const { samples } = await scrape();
    expect(total(samples, 'tradedesk_backup_last_success_timestamp_seconds')).toBe(new Date(backup.finishedAt!).getTime() / 1000);
    expect(total(samples, 'tradedesk_backup_last_verified_timestamp_seconds')).toBe(
      new Date(backup.verification!.verifiedAt).getTime() / 1000,
    );
  }, 60_000);

  it('the text passes Prometheus’ own parser', async () => {
    const verdict = await promtoolCheckMetrics((await scrape()).text);
    expect(verdict.code === 0 || verdict.code === 3, verdict.findings.join('\n')).toBe(true);
    expect(verdict.findings.filter((f) => !PROM_CLIENT_DEFAULT_GAUGES.test(f))).toEqual([]);
  });

  it(`${UNKNOWN_PATHS} requests to distinct unknown paths add no series`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const { port } = new URL(s.app.url);
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { authorization: s.app.auth } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    // One of each kind first: the series they belong to exist before the count.
    await get('/nowhere/warm-up');
    await get('/api/nowhere/warm-up');
    const ours = (samples: Sample[]) => seriesKeys(samples.filter((x) => !/^tradedesk_(nodejs|process)_/.test(x.name)));
    const before = await scrape();
    const statuses = new Set<number>();
    for (let i = 0; i < UNKNOWN_PATHS; i += 100)
      for (const status of await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          get(j % 2 === 0 ? `/nowhere/${i + j}-${(i * 7919 + j).toString(36)}` : `/api/nowhere/${i + j}?x=${i}`),
        ),
      ))
        statuses.add(status);
    agent.destroy();
    const after = await scrape();
    expect([...statuses]).toEqual([404]);
    expect([...ours(after.samples)].filter((k) => !ours(before.samples).has(k))).toEqual([]);
    expect(total(after.samples, 'tradedesk_http_requests_total', { route: 'unmatched', status: '404' })).toBe(
      total(before.samples, 'tradedesk_http_requests_total', { route: 'unmatched', status: '404' }) + UNKNOWN_PATHS,
    );
  }, 120_000);
});
