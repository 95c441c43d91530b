import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { type PositionEntry, realizedByPeriod } from './realized-by-period.js';

const starts = {
  month: new Date('2026-12-01T00:00:00Z'),
  week: new Date('2026-12-07T00:00:00Z'),
  today: new Date('2026-12-09T00:00:00Z'),
};
const fill = (side: 'buy' | 'sell', price: string, amount: string, fee: string, at: string): PositionEntry => ({
  kind: 'fill',
  fill: { side, price: dec(price), amount: dec(amount), fee: dec(fee), feeCurrency: 'USDT' },
  at: new Date(at),
});

describe('realizedByPeriod', () => {
  it('credits each sell to the periods that had begun, at the average entry of its moment', () => {
    const { book, realized } = realizedByPeriod(
      'BTC',
      'USDT',
      [
        // Last month: buy 2 at 100 (fee 2) → avg 101; sell 1 at 111 (fee 1) → +9, before every period.
        fill('buy', '100', '2', '2', '2026-11-20T10:00:00Z'),
        fill('sell', '111', '1', '1', '2026-11-21T10:00:00Z'),
        // This month, last week: sell 0.5 at 121 (fee 0.5) → 0.5 × 20 − 0.5 = +9.5.
        fill('sell', '121', '0.5', '0.5', '2026-12-02T10:00:00Z'),
        // This week: buy 0.5 at 131 (fee 0.5) → qty 1, cost 50.5 + 66 = 116.5, avg 116.5; sell 1 at 100 → −16.5 − fee 1.
        fill('buy', '131', '0.5', '0.5', '2026-12-08T10:00:00Z'),
        // Today: sell the lot at 100 (fee 1) → 1 × (100 − 116.5) − 1 = −17.5.
        fill('sell', '100', '1', '1', '2026-12-09T01:00:00Z'),
      ],
      starts,
    );
    expect(realized.today.toFixed()).toBe('-17.5');
    expect(realized.week.toFixed()).toBe('-17.5');
    expect(realized.month.toFixed()).toBe('-8');
    // The replay ends where the whole history does: everything realized, nothing held.
    expect(book.figures().realizedPnl.toFixed()).toBe('1');
    expect(book.figures().quantity.toFixed()).toBe('0');
  });

  it('adopted coins enter the average like a buy without a fee', () => {
    const { realized } = realizedByPeriod(
      'BTC',
      'KRW',
      [
        { kind: 'adoption', amount: dec('1'), averageEntry: dec('70000000') },
        {
          kind: 'fill',
          fill: { side: 'sell', price: dec('71000000'), amount: dec('0.5'), fee: dec('17750'), feeCurrency: 'KRW' },
          at: new Date('2026-12-09T02:00:00Z'),
        },
      ],
      starts,
    );
    // 0.5 × (71,000,000 − 70,000,000) − 17,750
    expect(realized.today.toFixed()).toBe('482250');
  });
});
