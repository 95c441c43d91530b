import { dec } from '@tradedesk/shared';
import { describe, expect, it } from 'vitest';
import { type EntryFacts, planEntry } from './entry-plan.js';

const binance: EntryFacts = {
  market: { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', priceStep: dec('0.01'), amountStep: dec('0.00001') },
  capabilities: { priceStepRule: 'tick-size', marketBuyByCost: true },
  bestBid: dec('49999.99'),
  bestAsk: dec('50000'),
  freeQuote: dec('1000'),
  totalQuote: dec('2000'),
  freeBase: dec('0.5'),
  takerFee: dec('0.001'),
  makerFee: dec('0.001'),
  quoteFeeOnBuy: false,
};
const upbit: EntryFacts = {
  ...binance,
  market: { symbol: 'BTC/KRW', base: 'BTC', quote: 'KRW', amountStep: dec('0.00000001') },
  capabilities: { priceStepRule: 'krw-price-table', marketBuyByCost: true },
  bestBid: dec('70123000'),
  bestAsk: dec('70124000'),
  freeQuote: dec('10000000'),
  totalQuote: dec('10000000'),
  takerFee: dec('0.0005'),
  makerFee: dec('0.0005'),
  quoteFeeOnBuy: true,
};

describe('planEntry', () => {
  it('puts a limit buy its offset under the best bid, snapped down onto the grid (Upbit: its KRW price steps)', () => {
    const plan = planEntry({ side: 'buy', entry: { type: 'limit', offsetPercent: '-0.5' }, size: { amount: '0.01' } }, upbit);
    // 70,123,000 × 0.995 = 69,772,385 → the 1,000 KRW step below
    expect(plan).toMatchObject({ type: 'limit', price: dec('69772000'), amount: dec('0.01'), expectedPrice: dec('69772000') });
  });

  it('buys at market by cost on Upbit, the fee (charged on top) kept inside a balance share', () => {
    const plan = planEntry({ side: 'buy', entry: { type: 'market' }, size: { balancePercent: '10' } }, upbit);
    expect(plan.type).toBe('market');
    expect(plan.cost!.times('1.0005').toFixed()).toBe('1000000');
  });

  it('sizes a risk-percent entry so that the loss at the stop, fees of both legs included, is that share of the quote balance', () => {
    const plan = planEntry(
      { side: 'buy', entry: { type: 'market' }, size: { riskPercent: '1' }, exits: { stopLoss: { triggerPercent: '2' } } },
      binance,
    );
    // stop 49,000; loss a coin 1,000 + 50 (entry fee) + 49 (exit fee) = 1,099; 1 % of 2,000 USDT = 20
    const amount = plan.amount ?? plan.cost!.div(plan.expectedPrice);
    expect(amount.times(1099).toDecimalPlaces(8).toFixed()).toBe('20');
  });

  it('sells a share of the free base at market', () => {
    const plan = planEntry({ side: 'sell', entry: { type: 'market' }, size: { balancePercent: '50' } }, binance);
    expect(plan).toMatchObject({ side: 'sell', type: 'market', amount: dec('0.25'), expectedPrice: dec('49999.99') });
  });
});
