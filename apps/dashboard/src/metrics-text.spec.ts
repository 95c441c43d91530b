import { describe, expect, it } from 'vitest';
import { parseMetrics, total } from './metrics-text';

const TEXT = `# HELP tradedesk_orders_total Order events
# TYPE tradedesk_orders_total counter
tradedesk_orders_total{exchange="binance",side="buy",type="market",purpose="manual",result="filled"} 2
tradedesk_orders_total{exchange="upbit",side="buy",type="market",purpose="manual",result="filled"} 1
tradedesk_orders_total{exchange="upbit",side="sell",type="limit",purpose="manual",result="rejected"} 4
tradedesk_unprotected_positions 0
tradedesk_http_requests_total{method="GET",route="/api/logs",status="200",note="a \\"quoted\\" value"} 7
`;

describe('parseMetrics', () => {
  const samples = parseMetrics(TEXT);

  it('reads every sample with its labels and skips the comments', () => {
    expect(samples).toHaveLength(5);
    expect(samples[0]).toEqual({
      name: 'tradedesk_orders_total',
      labels: { exchange: 'binance', side: 'buy', type: 'market', purpose: 'manual', result: 'filled' },
      value: 2,
    });
    expect(samples[4].labels.note).toBe('a "quoted" value');
  });

  it('sums the series a filter selects, and says null for a metric that is absent', () => {
    expect(total(samples, 'tradedesk_orders_total', { result: 'filled' })).toBe(3);
    expect(total(samples, 'tradedesk_orders_total')).toBe(7);
    expect(total(samples, 'tradedesk_unprotected_positions')).toBe(0);
    expect(total(samples, 'tradedesk_conditions_armed')).toBeNull();
  });
});
