import { describe, expect, it } from 'vitest';
import { startOfDay } from '../daily-summary.js';
import { renderNotification } from './render-notification.js';

const trade = {
  orderId: 'o1',
  symbol: 'BTC/KRW',
  exchange: 'upbit',
  side: 'sell',
  filled: '0.01',
  average: '67000000',
  cost: '670000',
  fee: '335',
  feeCurrency: 'KRW',
  conditionKind: 'stop_loss',
  realizedPnl: '-30685.123',
  fees: '685',
  returnPercent: '-4.3836',
  holdingSeconds: 3723,
  openedAt: '2026-12-07T14:00:00.000Z',
  closedAt: '2026-12-07T15:02:03.000Z',
};

describe('renderNotification', () => {
  it('a trade completed in Korean: whole won, KST, the stop that closed it', () => {
    const r = renderNotification('trade.completed', trade, 'ko', 'Asia/Seoul');
    expect(r.title).toBe('거래 완료: BTC/KRW -₩30,685');
    expect(r.text).toContain('청산 방식: 손절');
    expect(r.text).toContain('평균 체결가: ₩67,000,000');
    expect(r.text).toContain('수수료: ₩335');
    expect(r.text).toContain('실현 손익: -₩30,685');
    expect(r.text).toContain('수익률: -4.38%');
    expect(r.text).toContain('보유 기간: 1시간 2분 3초');
    expect(r.text).toContain('청산: 2026년 12월 8일 00:02:03 KST');
    expect(r.html).toContain('<th align="left" style="padding:2px 12px 2px 0;color:#555">실현 손익</th><td>-₩30,685</td>');
  });

  it('escapes what it puts in HTML', () => {
    const r = renderNotification('order.rejected', { symbol: 'BTC/USDT', reason: '<script>x</script>' }, 'en', 'Asia/Seoul');
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;');
  });
});

describe('startOfDay', () => {
  it('a day in Seoul starts at 15:00 UTC the day before; in UTC at midnight', () => {
    expect(startOfDay('2026-12-08', 'Asia/Seoul').toISOString()).toBe('2026-12-07T15:00:00.000Z');
    expect(startOfDay('2026-12-08', 'UTC').toISOString()).toBe('2026-12-08T00:00:00.000Z');
  });
});
